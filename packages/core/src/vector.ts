/**
 * Float64 reference kernels of the softmax family over rows, and of softmax cross-entropy.
 * A row's output is softmax(s · x) (s = 1 softmax, s = -1 softmin), or its log.
 */
import { BadInputError } from './errors.js';

/** The softmax family member: scale s and whether the log is taken. */
export interface SoftmaxSpec {
  readonly scale: number;
  readonly log: boolean;
}

type Writable = { [index: number]: number; readonly length: number };

/** Row length to use: 0 means the whole array is one row. Throws if rows don't divide n. */
export function resolveRowLength(n: number, rowLength: number, what = 'input'): number {
  const length = rowLength === 0 ? n : rowLength;
  if (length === 0 || n % length !== 0) {
    throw new BadInputError(
      `The ${what} has ${n} elements, which is not a whole number of rows of ${length}; pass rowLength that divides ${n} (or 0 for one row).`,
    );
  }
  return length;
}

/**
 * softmax(s·x) or log-softmax(s·x) of each row, shifted by the row maximum so nothing overflows.
 * A row containing +∞ puts all its mass on the +∞ entries; NaN anywhere in a row gives NaN for the row.
 */
export function softmaxRows(
  spec: SoftmaxSpec,
  x: ArrayLike<number>,
  rowLength: number,
  out: Writable,
): void {
  const n = x.length;
  const length = resolveRowLength(n, rowLength);
  const s = spec.scale;
  for (let start = 0; start < n; start += length) {
    const end = start + length;
    let m = Number.NEGATIVE_INFINITY;
    let nan = false;
    for (let i = start; i < end; i++) {
      const v = s * x[i]!;
      if (v > m) m = v;
      else if (Number.isNaN(v)) nan = true;
    }
    if (nan) {
      for (let i = start; i < end; i++) out[i] = Number.NaN;
      continue;
    }
    if (m === Number.NEGATIVE_INFINITY) {
      // every entry is -∞: the limit is the uniform distribution
      for (let i = start; i < end; i++) out[i] = spec.log ? -Math.log(length) : 1 / length;
      continue;
    }
    let total = 0;
    if (m === Number.POSITIVE_INFINITY) {
      for (let i = start; i < end; i++) total += s * x[i]! === m ? 1 : 0;
      for (let i = start; i < end; i++) {
        const p = s * x[i]! === m ? 1 / total : 0;
        out[i] = spec.log ? Math.log(p) : p;
      }
      continue;
    }
    // the maxima contribute exactly 1 each; the rest is kept apart, so log Σ = log(ties) +
    // log1p(rest/ties) keeps its digits where Σ = 1 + tiny (log-softmax at the largest entry)
    let ties = 0;
    let rest = 0;
    for (let i = start; i < end; i++) {
      const v = s * x[i]! - m;
      if (v === 0) ties++;
      else rest += Math.exp(v);
    }
    total = ties + rest;
    if (spec.log) {
      const logTotal = Math.log(ties) + Math.log1p(rest / ties);
      for (let i = start; i < end; i++) out[i] = s * x[i]! - m - logTotal;
    } else {
      const inverse = 1 / total;
      for (let i = start; i < end; i++) out[i] = Math.exp(s * x[i]! - m) * inverse;
    }
  }
}

/**
 * Vector-Jacobian product of each row: for y = softmax(s·x), dx = s·y·(dy - Σ dy·y);
 * for y = log-softmax(s·x), dx = s·(dy - p·Σ dy) with p = softmax(s·x).
 */
export function softmaxBackwardRows(
  spec: SoftmaxSpec,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  rowLength: number,
  out: Writable,
): void {
  const n = x.length;
  const length = resolveRowLength(n, rowLength);
  const p = new Float64Array(length);
  for (let start = 0; start < n; start += length) {
    softmaxRows({ scale: spec.scale, log: false }, sliceView(x, start, length), 0, p);
    backwardRow(spec, p, 0, dy, start, length, out);
  }
}

/** Index of the row's largest probability (the first on ties). */
function argmaxOf(p: ArrayLike<number>, at: number, length: number): number {
  let m = 0;
  for (let i = 1; i < length; i++) if (p[at + i]! > p[at + m]!) m = i;
  return m;
}

/**
 * dx of one row (starting at `start` in dy and out, at `at` in p) from its probabilities p, in
 * forms that do not cancel where the largest probability p_m is close to 1 (sums in float64):
 * - softmax: p_i·(dy_i - Σ_j dy_j p_j); where p_m > 1/2 as p_i·((dy_i - dy_m) - E),
 *   E = Σ_{j≠m} (dy_j - dy_m)·p_j (Σ p = 1), so the entry at m is -p_m·E, from the small p_j
 *   alone, not 1 - p_m;
 * - log-softmax: dy_i - p_i·Σ dy, and at m (when p_m > 1/2) -Σ_{j≠m} dy_j + (Σ_{j≠m} p_j)·Σ dy.
 */
function backwardRow(
  spec: SoftmaxSpec,
  p: ArrayLike<number>,
  at: number,
  dy: ArrayLike<number>,
  start: number,
  length: number,
  out: Writable,
): void {
  const s = spec.scale;
  const m = argmaxOf(p, at, length);
  if (spec.log) {
    let total = 0;
    let others = 0;
    let rest = 0;
    for (let i = 0; i < length; i++) {
      total += dy[start + i]!;
      if (i !== m) {
        others += p[at + i]!;
        rest += dy[start + i]!;
      }
    }
    const atMax = p[at + m]! > 0.5 ? -rest + others * total : dy[start + m]! - p[at + m]! * total;
    for (let i = 0; i < length; i++)
      out[start + i] = i === m ? s * atMax : s * (dy[start + i]! - p[at + i]! * total);
  } else if (p[at + m]! > 0.5) {
    const dyMax = dy[start + m]!;
    let e = 0;
    for (let i = 0; i < length; i++) if (i !== m) e += (dy[start + i]! - dyMax) * p[at + i]!;
    for (let i = 0; i < length; i++) out[start + i] = s * p[at + i]! * (dy[start + i]! - dyMax - e);
  } else {
    // no dominant entry: dy_i - Σ dy_j p_j directly, whose error follows Σ |dy_j|·p_j (the
    // differences dy_j - dy_m would bring in |dy_m| for every j)
    let dot = 0;
    for (let i = 0; i < length; i++) dot += dy[start + i]! * p[at + i]!;
    for (let i = 0; i < length; i++) out[start + i] = s * p[at + i]! * (dy[start + i]! - dot);
  }
}

/**
 * The vector-Jacobian product of every row from probabilities p = softmax(s·x) that a backend
 * computed (sums in float64), as `softmaxBackwardRows` does from x.
 */
export function softmaxBackwardFromProbabilities(
  spec: SoftmaxSpec,
  p: ArrayLike<number>,
  dy: ArrayLike<number>,
  rowLength: number,
  out: Writable,
): void {
  const length = resolveRowLength(p.length, rowLength);
  for (let start = 0; start < p.length; start += length)
    backwardRow(spec, p, start, dy, start, length, out);
}

/** Mean cross-entropy -Σ t·log p over rows, from log-probabilities a backend computed. */
export function crossEntropyFromLogProbabilities(
  logp: ArrayLike<number>,
  targets: Targets,
  rowLength: number,
): number {
  const { rows, length, target } = resolveTargets(logp.length, targets, rowLength);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < length; i++) {
      const t = target(r, i);
      if (t !== 0) total -= t * logp[r * length + i]!;
    }
  }
  return total / rows;
}

/** Turns probabilities p (softmax of the logits, computed by a backend) into (p - t)/rows in place. */
export function crossEntropyGradientFromProbabilities(
  p: Writable,
  targets: Targets,
  rowLength: number,
): void {
  const { rows, length, target } = resolveTargets(p.length, targets, rowLength);
  for (let r = 0; r < rows; r++) {
    const at = r * length;
    // p_m - t_m as (1 - t_m) - Σ_{j≠m} p_j where p_m > 1/2: p_m - 1 would keep only p_m's rounding
    const m = argmaxOf(p, at, length);
    let others = 0;
    for (let i = 0; i < length; i++) if (i !== m) others += p[at + i]!;
    const atMax = p[at + m]! > 0.5 ? 1 - target(r, m) - others : p[at + m]! - target(r, m);
    for (let i = 0; i < length; i++)
      p[at + i] = (i === m ? atMax : p[at + i]! - target(r, i)) / rows;
  }
}

function sliceView(x: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(x)) return (x as unknown as Float64Array).subarray(start, start + length);
  return Array.prototype.slice.call(x, start, start + length) as number[];
}

/** Class targets: one-hot / probability rows (same length as logits), or class indices (one per row). */
export type Targets =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Uint16Array
  | Uint8Array;

/** Checks targets against logits and returns the per-row target probability lookup. */
export function resolveTargets(
  logitsLength: number,
  targets: Targets,
  rowLength: number,
): { rows: number; length: number; target: (row: number, i: number) => number } {
  if (targets instanceof Float32Array || targets instanceof Float64Array) {
    if (targets.length !== logitsLength) {
      throw new BadInputError(
        `One-hot or probability targets must have one value per logit (${logitsLength}), got ${targets.length}; or pass class indices as an Int32Array with one index per row.`,
      );
    }
    const length = resolveRowLength(logitsLength, rowLength, 'logits array');
    return { rows: logitsLength / length, length, target: (row, i) => targets[row * length + i]! };
  }
  if (
    !(
      targets instanceof Int32Array ||
      targets instanceof Uint32Array ||
      targets instanceof Uint16Array ||
      targets instanceof Uint8Array
    )
  ) {
    throw new BadInputError(
      'Targets must be a Float32Array/Float64Array of one-hot rows or an Int32Array/Uint32Array/Uint16Array/Uint8Array of class indices.',
    );
  }
  if (rowLength === 0 && targets.length !== 1) {
    throw new BadInputError(
      `With class-index targets, set rowLength to the number of classes (got ${targets.length} indices and rowLength 0).`,
    );
  }
  const length = resolveRowLength(logitsLength, rowLength, 'logits array');
  const rows = logitsLength / length;
  if (targets.length !== rows) {
    throw new BadInputError(
      `Expected one class index per row (${rows} rows of ${length}), got ${targets.length} indices.`,
    );
  }
  for (let r = 0; r < rows; r++) {
    const t = targets[r]!;
    if (t < 0 || t >= length) {
      throw new BadInputError(
        `Class index ${t} in row ${r} is outside [0, ${length - 1}]; indices count from 0.`,
      );
    }
  }
  return { rows, length, target: (row, i) => (targets[row] === i ? 1 : 0) };
}

/** Mean over rows of the cross-entropy -Σ t·log softmax(x), computed from log-softmax (no log(0)). */
export function softmaxCrossEntropy(
  logits: ArrayLike<number>,
  targets: Targets,
  rowLength: number,
): number {
  const { rows, length, target } = resolveTargets(logits.length, targets, rowLength);
  const logp = new Float64Array(length);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    softmaxRows({ scale: 1, log: true }, sliceView(logits, r * length, length), 0, logp);
    for (let i = 0; i < length; i++) {
      const t = target(r, i);
      if (t !== 0) total -= t * logp[i]!;
    }
  }
  return total / rows;
}

/** Gradient of the mean cross-entropy with respect to the logits: (softmax(x) - t) / rows. */
export function softmaxCrossEntropyGradient(
  logits: ArrayLike<number>,
  targets: Targets,
  rowLength: number,
  out: Writable,
): void {
  const { length } = resolveTargets(logits.length, targets, rowLength);
  softmaxRows({ scale: 1, log: false }, logits, length, out);
  // the form backends use: p_m - t_m from the other entries where p_m > 1/2 (in float64 too,
  // p_m rounds to 1 once the others sum below 1.1e-16, and p_m - 1 would say 0)
  crossEntropyGradientFromProbabilities(out, targets, length);
}
