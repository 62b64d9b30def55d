/**
 * Minimal ONNX models for the peer benchmark: one input x (float, length n), one output y, built
 * from a few nodes. Encoded with a tiny protobuf writer (field numbers from onnx.proto).
 */

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

function field(number: number, payload: number[] | string | number): number[] {
  if (typeof payload === 'number') return [...varint(number << 3), ...varint(payload)];
  const bytes = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : payload;
  return [...varint((number << 3) | 2), ...varint(bytes.length), ...bytes];
}

function floatAttribute(name: string, value: number): number[] {
  const f = [...new Uint8Array(new Float32Array([value]).buffer)];
  // AttributeProto: name = 1, f = 2 (fixed32), type = 20 (FLOAT = 1)
  return [...field(1, name), (2 << 3) | 5, ...f, ...field(20, 1)];
}

function stringAttribute(name: string, value: string): number[] {
  return [...field(1, name), ...field(4, value), ...field(20, 3)]; // STRING = 3
}

/** A node: op type, inputs, outputs, attributes. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly floats?: Readonly<Record<string, number>>;
  readonly strings?: Readonly<Record<string, string>>;
}

function valueInfo(name: string, n: number): number[] {
  const dim = field(1, field(1, n)); // TensorShapeProto.dim { dim_value }
  const tensor = [...field(1, 1), ...field(2, dim)]; // elem_type FLOAT, shape
  return [...field(1, name), ...field(2, field(1, tensor))];
}

/** Serialises a model computing y from x of length n with the given nodes (opset 20). */
export function onnxModel(nodes: readonly OnnxNode[], n: number): Uint8Array {
  const graph = [
    ...nodes.flatMap((node, i) =>
      field(1, [
        ...node.inputs.flatMap((s) => field(1, s)),
        ...node.outputs.flatMap((s) => field(2, s)),
        ...field(3, `n${i}`),
        ...field(4, node.op),
        ...Object.entries(node.floats ?? {}).flatMap(([k, v]) => field(5, floatAttribute(k, v))),
        ...Object.entries(node.strings ?? {}).flatMap(([k, v]) => field(5, stringAttribute(k, v))),
      ]),
    ),
    ...field(2, 'activation'),
    ...field(11, valueInfo('x', n)),
    ...field(12, valueInfo('y', n)),
  ];
  return new Uint8Array([
    ...field(1, 9),
    ...field(8, [...field(1, ''), ...field(2, 20)]),
    ...field(7, graph),
  ]);
}

/** The ONNX graph of each benchmarked activation (x → y). */
export const ONNX_GRAPHS: Readonly<Record<string, readonly OnnxNode[]>> = {
  relu: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
  sigmoid: [{ op: 'Sigmoid', inputs: ['x'], outputs: ['y'] }],
  tanh: [{ op: 'Tanh', inputs: ['x'], outputs: ['y'] }],
  gelu: [{ op: 'Gelu', inputs: ['x'], outputs: ['y'] }],
  silu: [
    { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
    { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
  ],
  elu: [{ op: 'Elu', inputs: ['x'], outputs: ['y'], floats: { alpha: 1 } }],
  softplus: [{ op: 'Softplus', inputs: ['x'], outputs: ['y'] }],
  mish: [{ op: 'Mish', inputs: ['x'], outputs: ['y'] }],
};
