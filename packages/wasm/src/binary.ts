/**
 * A small WebAssembly binary writer: just what the kernel compiler needs (one memory import, a few
 * function imports, functions with v128 locals, exports). Encodings from the core and SIMD specs.
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return bytes;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** Opcodes used by the kernels (core instructions). */
export const Op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
  blockTypeEmpty: 0x40,
} as const;

/** SIMD opcodes (after the 0xfd prefix), by name. */
export const Simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  swizzle: 0x0e,
  i32x4Splat: 0x11,
  i64x2Splat: 0x12,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  not: 0x4d,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  anyTrue: 0x53,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i8x16Sub: 0x71,
  i32x4ShrS: 0xac,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  i32x4LtS: 0x39,
  i32x4MinS: 0xb6,
  i32x4Sub: 0xb1,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2Shl: 0xcb,
  i64x2ShrS: 0xcc,
  i64x2Add: 0xce,
  i64x2Sub: 0xd1,
  i32x4TruncSatF32x4S: 0xf8,
  i32x4TruncSatF64x2SZero: 0xfc,
} as const;

/** A function body under construction: locals and code. */
export class FunctionBuilder {
  readonly code: number[] = [];
  readonly #locals: ValueType[] = [];
  readonly params: readonly ValueType[];

  constructor(params: readonly ValueType[]) {
    this.params = params;
  }

  /** A new local of the given type; returns its index. */
  local(type: ValueType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** Appends a block of code built elsewhere (no argument spread: a large kernel body has more bytes than a call may take arguments). */
  append(bytes: readonly number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  get(index: number): this {
    return this.emit(Op.localGet, ...uleb(index));
  }

  set(index: number): this {
    return this.emit(Op.localSet, ...uleb(index));
  }

  tee(index: number): this {
    return this.emit(Op.localTee, ...uleb(index));
  }

  i32(value: number): this {
    return this.emit(Op.i32Const, ...sleb(value));
  }

  simd(op: number, ...immediates: number[]): this {
    return this.emit(0xfd, ...uleb(op), ...immediates);
  }

  v128(bytes: Uint8Array): this {
    return this.simd(Simd.const, ...bytes);
  }

  /** Body bytes: local declarations (grouped runs) then code and `end`. */
  body(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.#locals.length; ) {
      let j = i;
      while (j < this.#locals.length && this.#locals[j] === this.#locals[i]) j++;
      groups.push([...uleb(j - i), this.#locals[i]!]);
      i = j;
    }
    const content = [...vector(groups), ...this.code, Op.end];
    return [...uleb(content.length), ...content];
  }
}

/** An imported function: `module.name` with its signature. */
export interface FunctionImport {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
}

/** An exported function of the module. */
export interface ModuleFunction {
  readonly name: string;
  readonly builder: FunctionBuilder;
  readonly results: readonly ValueType[];
}

/** How the module imports `env.memory`: a shared memory (for worker threads) needs its maximum. */
export interface MemoryImport {
  readonly shared: boolean;
  /** Maximum pages; required when shared. */
  readonly maximum?: number;
}

/** Shared memories (worker threads) are declared with this many pages at most: 1 GiB. */
export const SHARED_MAXIMUM_PAGES = 16384;

/**
 * Encodes a module that imports `env.memory` (and `env.<name>` functions) and exports functions.
 * Function indices: imports first, then the module's functions in order.
 */
export function encodeModule(
  imports: readonly FunctionImport[],
  functions: readonly ModuleFunction[],
  memory: MemoryImport = { shared: false },
): Uint8Array<ArrayBuffer> {
  const signatures: string[] = [];
  const typeIndex = (params: readonly ValueType[], results: readonly ValueType[]) => {
    const key = `${params.join(',')}->${results.join(',')}`;
    let index = signatures.indexOf(key);
    if (index < 0) {
      signatures.push(key);
      index = signatures.length - 1;
    }
    return index;
  };
  const importTypes = imports.map((f) => typeIndex(f.params, f.results));
  const functionTypes = functions.map((f) => typeIndex(f.builder.params, f.results));
  const types = signatures.map((key) => {
    const [params, results] = key.split('->').map((s) => (s ? s.split(',').map(Number) : []));
    return [0x60, ...vector(params!.map((t) => [t])), ...vector(results!.map((t) => [t]))];
  });
  const importEntries = [
    memory.shared
      ? [
          ...name('env'),
          ...name('memory'),
          0x02,
          0x03,
          ...uleb(1),
          ...uleb(memory.maximum ?? SHARED_MAXIMUM_PAGES),
        ]
      : [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)],
    ...imports.map((f, i) => [...name('env'), ...name(f.name), 0x00, ...uleb(importTypes[i]!)]),
  ];
  const exportEntries = functions.map((f, i) => [
    ...name(f.name),
    0x00,
    ...uleb(imports.length + i),
  ]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vector(types)),
    ...section(2, vector(importEntries)),
    ...section(3, vector(functionTypes.map((t) => uleb(t)))),
    ...section(7, vector(exportEntries)),
    ...section(10, vector(functions.map((f) => f.builder.body()))),
  ]);
}
