/**
 * The narrow contract a backend package implements: compile an op request into a kernel, run it,
 * dispose. Everything else a user calls (validation, aliasing, kind dispatch, vector and loss
 * composition, parameter gradients, lifecycle, one compile per kernel) is core's `BackendFacade`.
 */
import type { ElementwiseActivation } from './activation.js';
import type { FloatArray } from './backend.js';
import type { Expr } from './expression.js';
import type { SoftmaxSpec } from './vector.js';
import { nodesOf } from './structure.js';
import { float32Above, float32Below } from './ulp.js';

/** An elementwise op: f, f′, or ∂f/∂p for a named parameter p. */
export type ElementwiseOp = 'forward' | 'derivative' | { readonly param: string };

/** The element type a kernel reads and writes. */
export type FloatType = 'float32' | 'float64';

/**
 * An elementwise kernel: `map` writes out[i] = g(x[i]), `backward` writes out[i] = dy[i] · g(x[i]),
 * where g is the op's expression (f for forward, f′ for derivative, ∂f/∂p).
 */
export interface MapRequest {
  readonly kind: 'map' | 'backward';
  /** Unique per kernel: activation, op, kind and type. */
  readonly key: string;
  /** Unique per function (activation and op): a map and a backward kernel of one op share it. */
  readonly opKey: string;
  readonly activation: ElementwiseActivation;
  readonly op: ElementwiseOp;
  /** The NaN-guarded expression with parameters bound: what the kernel computes. */
  readonly expression: Expr;
  /** The same function in float64: the reference kernels are checked against. */
  readonly reference: (x: number) => number;
  /**
   * The float32 hull of the op's declared range (output for forward, derivative range for the
   * derivative), or undefined when unbounded: the true value lies in it, so a kernel may clamp
   * its results into it (rounding can step just outside: tanh′ = 1.0000001 for tiny x).
   */
  readonly range: { readonly lo: number; readonly hi: number } | undefined;
  readonly type: FloatType;
}

/**
 * Does `e` compute without rounding (only the input, constants, selects, negation, |·|, sign,
 * min and max)? Then its results are the true values and no clamp is needed (relu, relu′, …).
 */
function roundsNothing(e: Expr): boolean {
  return nodesOf(e).every(
    (node) =>
      node.kind === 'const' ||
      node.kind === 'input' ||
      node.kind === 'select' ||
      node.kind === 'compare' ||
      (node.kind === 'unary' && (node.op === 'neg' || node.op === 'abs' || node.op === 'sign')) ||
      (node.kind === 'binary' && (node.op === 'min' || node.op === 'max')),
  );
}

/** The clamp range of an op (see MapRequest.range); undefined where nothing rounds. */
export function opRange(
  act: ElementwiseActivation,
  op: ElementwiseOp,
): { lo: number; hi: number } | undefined {
  const declared =
    op === 'forward' ? act.bounds.output : op === 'derivative' ? act.bounds.derivative : null;
  if (!declared) return undefined;
  if (roundsNothing(op === 'forward' ? act.kernels.forward : act.kernels.derivative))
    return undefined;
  const lo = Number.isFinite(declared.lo) ? float32Below(declared.lo) : Number.NEGATIVE_INFINITY;
  const hi = Number.isFinite(declared.hi) ? float32Above(declared.hi) : Number.POSITIVE_INFINITY;
  if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) return undefined;
  return Object.freeze({ lo, hi });
}

/** A softmax-family row kernel: each row of `rowLength` becomes softmax(s·x) or its log. */
export interface RowsRequest {
  readonly kind: 'rows';
  readonly key: string;
  readonly softmax: SoftmaxSpec;
  readonly type: FloatType;
  /**
   * The type of `out`: `type`, or 'float64' for float32 input when the façade wants probabilities
   * unrounded (a backward product; only from a provider with `float64Probabilities`).
   */
  readonly output: FloatType;
}

/** One type naming every op for every backend. */
export type OpRequest = MapRequest | RowsRequest;

/**
 * The arrays of one run, already checked by the façade: same type, `length` elements each. `out`
 * may be `x` or `dy` itself (elementwise kernels run in place) but never overlaps them otherwise;
 * for row kernels it is always a separate array.
 */
export interface Job<A = FloatArray> {
  readonly x: A;
  readonly dy?: A;
  readonly out: A;
  readonly length: number;
  /** Row kernels only: the row length, which divides `length`. */
  readonly rowLength?: number;
}

/** What a backend package supplies to core's façade. */
export interface BackendProvider<Kernel> {
  /** e.g. 'wasm'. */
  readonly name: string;
  /** Float64Array input is computed in float64 (otherwise the façade refuses it). */
  readonly float64: boolean;
  /**
   * Row kernels write float64 probabilities for float32 input when a RowsRequest asks for
   * `output: 'float64'`. The softmax family's backward needs them unrounded (dy_i - Σ dy_j p_j
   * cancels, and float32 probabilities put their rounding into every entry); without this, the
   * façade computes that backward itself, in float64 on the calling thread.
   */
  readonly float64Probabilities?: boolean;
  /**
   * Input intervals where a compiled map or backward kernel misses its bound and the façade
   * recomputes the results with the float64 reference (`request.reference`): the few floats
   * around a root of the function, where it is small and its terms are not (rootsOf,
   * rootIntervals). Empty or absent: none. Arrays a provider runs without the façade (a wasm
   * WasmArray, a GPU buffer) do not get this.
   */
  referenceIntervals?(kernel: Kernel): ReadonlyArray<readonly [number, number]>;
  /** Reads and writes arrays over a SharedArrayBuffer (default true; otherwise the façade copies). */
  readonly sharedMemory?: boolean;
  /** The longest array a call may take (default unlimited); longer ones are refused with BadInputError. */
  readonly maxLength?: number;
  /** Compiles the kernel of a request (asynchronously where the platform prefers it). */
  compile(request: OpRequest): Kernel | Promise<Kernel>;
  /** Runs a kernel over the job's arrays. */
  run(kernel: Kernel, request: OpRequest, job: Job): void | Promise<void>;
  /** Why the device is gone, once it is (undefined while it works). */
  lost?(): string | undefined;
  /** A kernel the façade's cache let go of (free what it holds). */
  release?(kernel: Kernel): void;
  /** Frees everything; called once, by the façade's `dispose()`. */
  dispose(): void;
}

/** A provider that can also compile and run synchronously (for `forwardSync` and friends). */
export interface SyncBackendProvider<Kernel> extends BackendProvider<Kernel> {
  compileSync(request: OpRequest): Kernel;
  runSync(kernel: Kernel, request: OpRequest, job: Job): void;
}

function opName(op: ElementwiseOp): string {
  return typeof op === 'string' ? op : `d/d${op.param}`;
}

/**
 * The request for an elementwise kernel (the one spelling of its keys).
 *
 * @example mapRequest(gelu.create(), 'forward', 'map', 'float32').key // 'gelu{}|forward|map|float32'
 */
export function mapRequest(
  act: ElementwiseActivation,
  op: ElementwiseOp,
  kind: 'map' | 'backward',
  type: FloatType,
): MapRequest {
  const opKey = `${act.key}|${opName(op)}`;
  const [expression, reference] =
    op === 'forward'
      ? [act.kernels.forward, act.forward]
      : op === 'derivative'
        ? [act.kernels.derivative, act.derivative]
        : [
            act.paramDerivativeExpression(op.param),
            (v: number) => act.paramDerivative(op.param, v),
          ];
  return Object.freeze({
    kind,
    key: `${opKey}|${kind}|${type}`,
    opKey,
    activation: act,
    op,
    expression,
    reference,
    range: opRange(act, op),
    type,
  });
}

/** The request for a softmax-family row kernel. */
export function rowsRequest(
  softmax: SoftmaxSpec,
  type: FloatType,
  output: FloatType = type,
): RowsRequest {
  return Object.freeze({
    kind: 'rows',
    key: `rows|${softmax.scale}|${softmax.log}|${type}${output === type ? '' : `>${output}`}`,
    softmax,
    type,
    output,
  });
}
