/**
 * Intervals: declared ranges with open or closed ends, and interval evaluation of expressions,
 * which gives a sound enclosure of an expression's values (up to the float64 rounding of the
 * end points, a few units in the last place).
 */
import { ActivationError } from './errors.js';
import type { Condition, Expr, UnaryOp } from './expression.js';
import { BINARY_FLOAT64, powi64, UNARY_FLOAT64 } from './math.js';
import { memoized } from './structure.js';

/** A real interval with open or closed ends. Infinite ends are always open. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
  readonly loClosed: boolean;
  readonly hiClosed: boolean;
}

/** How an interval's ends are written: '[]' closed, '()' open, and the two mixes. */
export type IntervalEnds = '[]' | '()' | '[)' | '(]';

/**
 * Makes an interval; infinite ends are made open.
 *
 * @example interval(0, 1, '()') // sigmoid's range
 * @example interval(0, Infinity, '[)') // relu's range
 */
export function interval(lo: number, hi: number, ends: IntervalEnds = '[]'): Interval {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new RangeError(`interval(${lo}, ${hi}) is empty or NaN; give lo <= hi.`);
  }
  return Object.freeze({
    lo,
    hi,
    loClosed: ends[0] === '[' && Number.isFinite(lo),
    hiClosed: ends[1] === ']' && Number.isFinite(hi),
  });
}

/** The whole real line (-∞, ∞). */
export const REAL_LINE: Interval = interval(
  Number.NEGATIVE_INFINITY,
  Number.POSITIVE_INFINITY,
  '()',
);

/** Is v in the interval? */
export function contains(i: Interval, v: number): boolean {
  return (i.loClosed ? v >= i.lo : v > i.lo) && (i.hiClosed ? v <= i.hi : v < i.hi);
}

/** Is v in the closure of the interval (ends included, ±∞ included for infinite ends)? */
export function containsClosure(i: Interval, v: number): boolean {
  return v >= i.lo && v <= i.hi;
}

/** Is `inner` a subset of `outer`? */
export function isSubset(inner: Interval, outer: Interval): boolean {
  const loOk =
    inner.lo > outer.lo || (inner.lo === outer.lo && (outer.loClosed || !inner.loClosed));
  const hiOk =
    inner.hi < outer.hi || (inner.hi === outer.hi && (outer.hiClosed || !inner.hiClosed));
  return loOk && hiOk;
}

/** Text form, e.g. `(0, 1)`, `[0, ∞)`. */
export function formatInterval(i: Interval): string {
  const f = (v: number) =>
    v === Number.POSITIVE_INFINITY ? '∞' : v === Number.NEGATIVE_INFINITY ? '-∞' : String(v);
  return `${i.loClosed ? '[' : '('}${f(i.lo)}, ${f(i.hi)}${i.hiClosed ? ']' : ')'}`;
}

/** LaTeX form, e.g. `(0, 1)`, `[0, \infty)`. */
export function intervalToLatex(i: Interval): string {
  const f = (v: number) =>
    v === Number.POSITIVE_INFINITY
      ? '\\infty'
      : v === Number.NEGATIVE_INFINITY
        ? '-\\infty'
        : String(v);
  return `${i.loClosed ? '[' : '('}${f(i.lo)}, ${f(i.hi)}${i.hiClosed ? ']' : ')'}`;
}

/** A closed enclosure [lo, hi] of an expression's values; `nan` if NaN may occur. */
export interface Enclosure {
  readonly lo: number;
  readonly hi: number;
  readonly nan: boolean;
}

const INF = Number.POSITIVE_INFINITY;
const WHOLE: Enclosure = { lo: -INF, hi: INF, nan: true };

function enc(lo: number, hi: number, nan = false): Enclosure {
  if (Number.isNaN(lo) || Number.isNaN(hi)) return WHOLE;
  return { lo, hi, nan };
}

const INCREASING: ReadonlySet<UnaryOp> = new Set([
  'exp',
  'expm1',
  'tanh',
  'erf',
  'sigmoid',
  'softplus',
]);

function unaryEnclosure(op: UnaryOp, a: Enclosure): Enclosure {
  const f = UNARY_FLOAT64[op];
  if (INCREASING.has(op)) return enc(f(a.lo), f(a.hi), a.nan);
  switch (op) {
    case 'neg':
      return enc(-a.hi, -a.lo, a.nan);
    case 'abs':
      if (a.lo >= 0) return a;
      if (a.hi <= 0) return enc(-a.hi, -a.lo, a.nan);
      return enc(0, Math.max(-a.lo, a.hi), a.nan);
    case 'sign':
      return enc(Math.sign(a.lo), Math.sign(a.hi), a.nan);
    case 'erfc':
      return enc(f(a.hi), f(a.lo), a.nan);
    case 'log':
    case 'log1p':
    case 'sqrt': {
      const floor = op === 'log1p' ? -1 : 0;
      if (a.hi < floor) return WHOLE;
      const lo = Math.max(a.lo, floor);
      return enc(f(lo), f(a.hi), a.nan || a.lo < floor);
    }
    case 'sin':
    case 'cos':
      return trigEnclosure(op, a);
    default:
      throw new Error(`no interval rule for ${op}`);
  }
}

function trigEnclosure(op: 'sin' | 'cos', a: Enclosure): Enclosure {
  const nan = a.nan || !Number.isFinite(a.lo) || !Number.isFinite(a.hi);
  if (!Number.isFinite(a.lo) || !Number.isFinite(a.hi) || a.hi - a.lo >= 2 * Math.PI)
    return enc(-1, 1, nan);
  const f = op === 'sin' ? Math.sin : Math.cos;
  // extremes of sin are at π/2 + kπ, of cos at kπ
  const offset = op === 'sin' ? Math.PI / 2 : 0;
  let lo = Math.min(f(a.lo), f(a.hi));
  let hi = Math.max(f(a.lo), f(a.hi));
  for (let k = Math.ceil((a.lo - offset) / Math.PI); k * Math.PI + offset <= a.hi; k++) {
    const v = f(k * Math.PI + offset);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return enc(lo, hi, nan);
}

function mulEnds(p: number, q: number): number {
  // 0 · ∞ only arises at the limit ends of an interval; the real product tends to 0 there
  return p === 0 || q === 0 ? 0 : p * q;
}

function mulEnclosure(a: Enclosure, b: Enclosure): Enclosure {
  const products = [
    mulEnds(a.lo, b.lo),
    mulEnds(a.lo, b.hi),
    mulEnds(a.hi, b.lo),
    mulEnds(a.hi, b.hi),
  ];
  const zeroTimesInf =
    (a.lo <= 0 && a.hi >= 0 && (!Number.isFinite(b.lo) || !Number.isFinite(b.hi))) ||
    (b.lo <= 0 && b.hi >= 0 && (!Number.isFinite(a.lo) || !Number.isFinite(a.hi)));
  return enc(Math.min(...products), Math.max(...products), a.nan || b.nan || zeroTimesInf);
}

function divEnclosure(a: Enclosure, b: Enclosure): Enclosure {
  if (b.lo <= 0 && b.hi >= 0) return WHOLE;
  const quotients = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
  if (quotients.some(Number.isNaN)) return WHOLE;
  return enc(Math.min(...quotients), Math.max(...quotients), a.nan || b.nan);
}

function powiEnclosure(a: Enclosure, n: number): Enclosure {
  if (n < 0) return divEnclosure(enc(1, 1), powiEnclosure(a, -n));
  if (n % 2 === 1 || a.lo >= 0) return enc(powi64(a.lo, n), powi64(a.hi, n), a.nan);
  if (a.hi <= 0) return enc(powi64(a.hi, n), powi64(a.lo, n), a.nan);
  return enc(0, Math.max(powi64(a.lo, n), powi64(a.hi, n)), a.nan);
}

/** 1: certainly true, 0: certainly false, 0.5: either. */
function conditionEnclosure(c: Condition, enclose: (e: Expr) => Enclosure): 0 | 0.5 | 1 {
  const a = enclose(c.left);
  const b = enclose(c.right);
  if (a.nan || b.nan) return 0.5;
  const point = a.lo === a.hi && b.lo === b.hi;
  switch (c.op) {
    case 'lt':
      return a.hi < b.lo ? 1 : a.lo >= b.hi ? 0 : 0.5;
    case 'le':
      return a.hi <= b.lo ? 1 : a.lo > b.hi ? 0 : 0.5;
    case 'gt':
      return a.lo > b.hi ? 1 : a.hi <= b.lo ? 0 : 0.5;
    case 'ge':
      return a.lo >= b.hi ? 1 : a.hi < b.lo ? 0 : 0.5;
    case 'eq':
      return point && a.lo === b.lo ? 1 : a.hi < b.lo || a.lo > b.hi ? 0 : 0.5;
    case 'ne':
      return point && a.lo === b.lo ? 0 : a.hi < b.lo || a.lo > b.hi ? 1 : 0.5;
  }
}

/** The enclosure of one node, given `enclose` for its children. */
function nodeEnclosure(e: Expr, xRange: Enclosure, enclose: (e: Expr) => Enclosure): Enclosure {
  switch (e.kind) {
    case 'const':
      return Number.isNaN(e.value) ? WHOLE : enc(e.value, e.value);
    case 'input':
      return xRange;
    case 'param':
      throw new ActivationError(
        'BAD_PARAMETER',
        `Parameter '${e.name}' must be bound before interval evaluation.`,
      );
    case 'unary':
      return unaryEnclosure(e.op, enclose(e.arg));
    case 'binary': {
      const a = enclose(e.left);
      const b = enclose(e.right);
      const nan = a.nan || b.nan;
      switch (e.op) {
        case 'add':
          return enc(a.lo + b.lo, a.hi + b.hi, nan);
        case 'sub':
          return enc(a.lo - b.hi, a.hi - b.lo, nan);
        case 'mul':
          return mulEnclosure(a, b);
        case 'div':
          return divEnclosure(a, b);
        case 'min':
        case 'max': {
          const f = BINARY_FLOAT64[e.op];
          return enc(f(a.lo, b.lo), f(a.hi, b.hi), nan);
        }
      }
      break;
    }
    case 'powi':
      return powiEnclosure(enclose(e.base), e.exponent);
    case 'select': {
      const truth = conditionEnclosure(e.cond, enclose);
      if (truth === 1) return enclose(e.ifTrue);
      if (truth === 0) return enclose(e.ifFalse);
      const a = enclose(e.ifTrue);
      const b = enclose(e.ifFalse);
      return enc(Math.min(a.lo, b.lo), Math.max(a.hi, b.hi), a.nan || b.nan);
    }
  }
}

/**
 * A closed enclosure of `e`'s values for x in `xRange` (parameters must be bound). Each distinct
 * sub-expression is enclosed once.
 *
 * @example enclose(sigmoid(x), { lo: 0, hi: Infinity, nan: false }) // { lo: 0.5, hi: 1, nan: false }
 */
export function enclose(e: Expr, xRange: Enclosure): Enclosure {
  return encloser(xRange)(e);
}

/**
 * `enclose` for one x range as a function that remembers every node it has enclosed: for code
 * generators that ask about many sub-expressions of one expression.
 */
export function encloser(xRange: Enclosure): (e: Expr) => Enclosure {
  return memoized<Expr, Enclosure>((node, self) => nodeEnclosure(node, xRange, self));
}

/** Break points for subdividing the real line: fine near 0, geometric further out. */
function breakpoints(): number[] {
  const points = new Set<number>([0]);
  for (let k = 1; k <= 16 * 8; k++) {
    points.add(k / 16);
    points.add(-k / 16);
  }
  for (let v = 8; v < 1e6; v *= 1.05) {
    points.add(v);
    points.add(-v);
  }
  points.add(1e6);
  points.add(-1e6);
  return [...points].sort((a, b) => a - b);
}

let cachedBreakpoints: number[] | undefined;

/**
 * A sound enclosure of `e`'s values over x in `domain` (default the whole extended real line),
 * made tight by evaluating on a few thousand sub-intervals and taking the union.
 *
 * @example rangeOf(mul(x, sigmoid(x))) // about [-0.2785, ∞]
 */
export function rangeOf(
  e: Expr,
  domain: { lo: number; hi: number } = { lo: -INF, hi: INF },
): Enclosure {
  cachedBreakpoints ??= breakpoints();
  const cuts = [
    domain.lo,
    ...cachedBreakpoints.filter((p) => p > domain.lo && p < domain.hi),
    domain.hi,
  ];
  let lo = INF;
  let hi = -INF;
  let nan = false;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const piece = enclose(e, { lo: cuts[i]!, hi: cuts[i + 1]!, nan: false });
    lo = Math.min(lo, piece.lo);
    hi = Math.max(hi, piece.hi);
    nan ||= piece.nan;
  }
  return { lo, hi, nan };
}

/** Turns an enclosure into an Interval (closed finite ends, open infinite ones). */
export function enclosureToInterval(e: Enclosure): Interval {
  return interval(e.lo, e.hi, '[]');
}
