/**
 * Argument checks of the backend façade, written once for every backend: what an activation is,
 * which arrays are float arrays (by their internal slot, so arrays from another realm pass and
 * look-alikes do not), detached buffers, `out` and `dy` shapes, and how arrays overlap.
 */
import { isActivation, isDefinition } from './activation.js';
import type { Activation } from './activation.js';
import type { FloatArray } from './backend.js';
import { BadInputError } from './errors.js';
import { describeValue } from './expression.js';

type TypedArrayName = 'Float32Array' | 'Float64Array' | string;

// the intrinsic getter reads the internal [[TypedArrayName]] slot: a subclass or a fake cannot change it
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Int8Array.prototype),
  Symbol.toStringTag,
)!.get as (this: unknown) => TypedArrayName | undefined;

/** 'Float32Array', 'Float64Array', another typed array's name, or undefined for anything else. */
export function floatArrayType(value: unknown): TypedArrayName | undefined {
  return ArrayBuffer.isView(value) ? typedArrayName.call(value) : undefined;
}

/** Is the array's buffer detached (transferred to a worker, or a resized-away wasm memory)? */
export function isDetached(a: ArrayBufferView): boolean {
  const buffer = a.buffer;
  if (buffer.byteLength !== 0) return false;
  if (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) return false;
  const detached = (buffer as { detached?: boolean }).detached;
  if (typeof detached === 'boolean') return detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** Is the array a view of a SharedArrayBuffer? */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

/** Checks the activation argument of a backend method. */
export function checkActivation(act: unknown, method: string): asserts act is Activation {
  if (isActivation(act)) return;
  if (isDefinition(act)) {
    throw new BadInputError(
      `${method}() got the definition of '${act.id}', not an activation: call .create(params) on the definition, or use registry.activation('${act.id}', params).`,
    );
  }
  if (typeof act === 'string') {
    throw new BadInputError(
      `${method}() got the string '${act.slice(0, 40)}'; pass an activation: registry.activation('${act.slice(0, 40)}').`,
    );
  }
  throw new BadInputError(
    `${method}() needs an activation from registry.activation(id) or definition.create() as its first argument, got ${describeValue(act)}.`,
  );
}

/**
 * Checks a float array argument: a Float32Array (or Float64Array where `float64`), not detached.
 *
 * @example checkFloatArray('wasm', x, false, 'x')
 */
export function checkFloatArray(
  backend: string,
  value: unknown,
  float64: boolean,
  name: string,
): asserts value is FloatArray {
  const type = floatArrayType(value);
  if (type === 'Float32Array' || (type === 'Float64Array' && float64)) {
    if (isDetached(value as ArrayBufferView)) {
      throw new BadInputError(
        `${name}'s ArrayBuffer is detached (transferred to a worker, or a view of wasm memory that has grown); pass an array whose data is still here, e.g. a copy made before the transfer.`,
      );
    }
    return;
  }
  if (type === 'Float64Array') {
    throw new BadInputError(
      `Backend '${backend}' computes in float32; convert ${name} with Float32Array.from(${name}) or use a backend with Float64Array support (cpu-js).`,
    );
  }
  throw new BadInputError(
    `${name} must be a Float32Array${float64 ? ' or Float64Array' : ''}, got ${type ? `a ${type}` : describeValue(value)}; convert it with Float32Array.from(${name}).`,
  );
}

/** Checks `dy` or `out` against x: the same float type and length. */
export function checkLike(
  x: FloatArray,
  value: unknown,
  name: string,
  backend: string,
  float64: boolean,
): asserts value is FloatArray {
  const want = `a ${floatArrayType(x)} of length ${x.length} like x`;
  const leaveOut = name === 'out' ? ' (or leave out to get a new array)' : '';
  const type = floatArrayType(value);
  if (type !== floatArrayType(x)) {
    throw new BadInputError(
      `${name} must be ${want}${leaveOut}, got ${type ? `a ${type}` : describeValue(value)}.`,
    );
  }
  checkFloatArray(backend, value, float64, name);
  if (value.length !== x.length) {
    throw new BadInputError(
      name === 'dy'
        ? `dy must have the same length as x (${x.length}), got ${value.length}.`
        : `${name} must be ${want}, got one of length ${value.length}.`,
    );
  }
}

/** How two arrays share memory: not at all, exactly (the same elements), or partly. */
export function overlap(a: ArrayBufferView, b: ArrayBufferView): 'none' | 'exact' | 'partial' {
  if (a.buffer !== b.buffer) return 'none';
  const [aStart, bStart] = [a.byteOffset, b.byteOffset];
  const [aEnd, bEnd] = [aStart + a.byteLength, bStart + b.byteLength];
  if (aStart === bStart && aEnd === bEnd) return 'exact';
  return aStart < bEnd && bStart < aEnd ? 'partial' : 'none';
}

/** A new array of x's type and length (ordinary memory even when x is shared). */
export function newLike<T extends FloatArray>(x: T, length = x.length): T {
  return (
    floatArrayType(x) === 'Float64Array' ? new Float64Array(length) : new Float32Array(length)
  ) as T;
}

/**
 * The rules of the resident-array methods every backend with them shares (wasm's `forwardArray`,
 * webgpu's `forwardBuffer`, …): a loss is refused, a vector activation takes only forward and an
 * output separate from its input.
 */
export function checkResidentOp(
  act: unknown,
  op: 'forward' | 'derivative' | 'backward',
  method: string,
  outIsX: boolean,
): asserts act is Activation {
  checkActivation(act, method);
  if (act.kind === 'loss') {
    throw new BadInputError(
      `${method} takes activations, not a loss: use loss() and lossGradient() with typed arrays for '${act.id}'.`,
    );
  }
  if (act.kind === 'vector') {
    if (op !== 'forward') {
      throw new BadInputError(
        `${method} is for elementwise activations: use backward() with typed arrays for '${act.id}' (its vector-Jacobian product).`,
      );
    }
    if (outIsX)
      throw new BadInputError(
        `'${act.id}' reads whole rows: out must be a different array from x.`,
      );
  }
}
