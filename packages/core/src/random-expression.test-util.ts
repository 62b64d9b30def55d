/** Random expressions for property tests (domain-safe: log and sqrt only see positive arguments). */
import {
  abs,
  add,
  applyBinary,
  applyUnary,
  constant,
  cos,
  div,
  type Expr,
  gt,
  log,
  lt,
  powi,
  select,
  sqrt,
  x,
} from './expression.js';

/** A small deterministic PRNG (LCG), so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SAFE_UNARY = [
  'neg',
  'exp',
  'tanh',
  'erf',
  'erfc',
  'sin',
  'sigmoid',
  'softplus',
  'abs',
  'expm1',
] as const;

/** A random expression in x of about `depth` levels. */
export function randomExpression(random: () => number, depth: number): Expr {
  if (depth === 0 || random() < 0.2)
    return random() < 0.6 ? x : constant(Math.round((random() * 6 - 3) * 4) / 4);
  const pick = random();
  const sub = () => randomExpression(random, depth - 1);
  if (pick < 0.35) return applyUnary(SAFE_UNARY[Math.floor(random() * SAFE_UNARY.length)]!, sub());
  if (pick < 0.7) {
    const op = (['add', 'sub', 'mul', 'min', 'max'] as const)[Math.floor(random() * 5)]!;
    return applyBinary(op, sub(), sub());
  }
  if (pick < 0.78) return div(sub(), add(2, abs(sub())));
  if (pick < 0.84) return log(add(1, abs(sub())));
  if (pick < 0.88) return sqrt(add(0.5, abs(sub())));
  if (pick < 0.93) return powi(sub(), 2 + Math.floor(random() * 2));
  if (pick < 0.97)
    return select(
      random() < 0.5 ? gt(sub(), sub()) : lt(x, constant(random() * 2 - 1)),
      sub(),
      sub(),
    );
  return cos(sub());
}
