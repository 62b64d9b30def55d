/**
 * Properties of an activation and their numerical estimate. The zoo declares properties; its tests
 * check each declaration against `estimateProperties`, and user-defined activations get the estimate.
 */
import type { ScalarFunction } from './evaluate.js';
import type { Condition, Expr } from './expression.js';
import { nodesOf } from './structure.js';

/** Which side(s) of the real line a behaviour holds on. */
export type Side = 'none' | 'left' | 'right' | 'both';

/** Continuity class: a jump, continuous with a kink, continuously differentiable, or smooth (C² or better). */
export type Continuity = 'discontinuous' | 'C0' | 'C1' | 'smooth';

/** What an activation is like, as a textbook table would list it. */
export interface Properties {
  /** Non-decreasing everywhere. */
  readonly monotonic: boolean;
  /** Continuity class. */
  readonly continuity: Continuity;
  /** f(0) = 0 and outputs of both signs, so activations can average to zero. */
  readonly zeroCentered: boolean;
  /** Side(s) where the derivative tends to 0 as |x| grows (vanishing gradients). */
  readonly saturates: Side;
  /** Side(s) where the derivative is exactly 0 on a whole half-line (units can die). */
  readonly zeroGradient: Side;
  /** Keeps activations at zero mean and unit variance through layers (SELU). */
  readonly selfNormalizing: boolean;
  /** The output range has a finite lower end. */
  readonly boundedBelow: boolean;
  /** The output range has a finite upper end. */
  readonly boundedAbove: boolean;
}

/** The properties a definition declares (boundedness is derived from the range). */
export type DeclaredProperties = Omit<Properties, 'boundedBelow' | 'boundedAbove'>;

function side(left: boolean, right: boolean): Side {
  return left && right ? 'both' : left ? 'left' : right ? 'right' : 'none';
}

/** Dense sample grid: every 1/64 in [-16, 16], plus geometric points out to ±1e4. */
export function sampleGrid(): number[] {
  const points = new Set<number>();
  for (let k = -16 * 64; k <= 16 * 64; k++) points.add(k / 64);
  for (let v = 16; v <= 1e4; v *= 1.1) {
    points.add(v);
    points.add(-v);
  }
  return [...points].sort((a, b) => a - b);
}

function conditionConstants(root: Expr | Condition, into: Set<number>): Set<number> {
  for (const e of nodesOf(root)) {
    if (e.kind === 'compare' || (e.kind === 'binary' && (e.op === 'min' || e.op === 'max'))) {
      for (const side of [e.left, e.right])
        if (side.kind === 'const' && Number.isFinite(side.value)) into.add(side.value);
    }
  }
  return into;
}

function hasJump(f: ScalarFunction, points: Iterable<number>): boolean {
  for (const p of points) {
    const delta = 1e-9 * Math.max(1, Math.abs(p));
    const a = f(p - delta);
    const b = f(p + delta);
    if (Math.abs(a - b) > 1e-5 * (1 + Math.abs(a) + Math.abs(b))) return true;
  }
  return false;
}

/** Scalar forms of an activation that `estimateProperties` samples. */
export interface SampledActivation {
  readonly forward: ScalarFunction;
  readonly derivative: ScalarFunction;
  readonly secondDerivative: ScalarFunction;
  /** Expressions whose comparison constants are added to the points checked for kinks. */
  readonly expressions: readonly Expr[];
}

/**
 * Estimates properties by sampling: monotonicity on a dense grid, jumps of f, f' and f'' at grid
 * points and at every constant the definition compares against, the derivative far out, and exact
 * zeros of the derivative on [-50, -10] and [10, 50]. `selfNormalizing` cannot be sampled: false.
 */
export function estimateProperties(a: SampledActivation): DeclaredProperties {
  const grid = sampleGrid();
  const values = grid.map(a.forward);
  let monotonic = true;
  for (let i = 1; i < grid.length; i++) {
    if (values[i]! < values[i - 1]! - 1e-12 * (1 + Math.abs(values[i - 1]!))) monotonic = false;
  }
  const kinkCandidates = new Set(grid.filter((v) => Math.abs(v) <= 16));
  for (const e of a.expressions) conditionConstants(e, kinkCandidates);
  const continuity: Properties['continuity'] = hasJump(a.forward, kinkCandidates)
    ? 'discontinuous'
    : hasJump(a.derivative, kinkCandidates)
      ? 'C0'
      : hasJump(a.secondDerivative, kinkCandidates)
        ? 'C1'
        : 'smooth';
  const f0 = a.forward(0);
  const zeroCentered = f0 === 0 && values.some((v) => v < 0) && values.some((v) => v > 0);
  const far = [1e3, 1e4, 1e5];
  const flat = (sign: number) => far.every((v) => Math.abs(a.derivative(sign * v)) < 1e-6);
  const deadLine = (sign: number) => {
    for (let v = 10; v <= 50; v += 0.25) if (a.derivative(sign * v) !== 0) return false;
    return true;
  };
  return {
    monotonic,
    continuity,
    zeroCentered,
    saturates: side(flat(-1), flat(1)),
    zeroGradient: side(deadLine(-1), deadLine(1)),
    selfNormalizing: false,
  };
}
