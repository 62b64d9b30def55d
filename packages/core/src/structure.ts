/**
 * Structural identity of expressions, in time and space linear in the number of distinct nodes:
 * exact ids for equal structure (hash-consing without hashes), a canonical key, sizes, and the
 * memoisation every tree algorithm uses so that shared sub-expressions are visited once — a
 * derivative or a library expansion shares nodes, and walking them as a tree costs 2^depth.
 */
import type { Condition, Expr } from './expression.js';

/** A node of either kind. */
export type Node = Expr | Condition;

/** The text of a number as keys use it: exact, and -0 apart from 0. */
export function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function signature(e: Node, id: (child: Node) => number): string {
  switch (e.kind) {
    case 'const':
      return `c${numberKey(e.value)}`;
    case 'input':
      return 'x';
    case 'param':
      return `p${e.name}`;
    case 'unary':
      return `u${e.op},${id(e.arg)}`;
    case 'binary':
      return `b${e.op},${id(e.left)},${id(e.right)}`;
    case 'powi':
      return `w${e.exponent},${id(e.base)}`;
    case 'select':
      return `s${id(e.cond)},${id(e.ifTrue)},${id(e.ifFalse)}`;
    case 'compare':
      return `k${e.op},${id(e.left)},${id(e.right)}`;
  }
}

/**
 * Exact structural ids: `ids.id(a) === ids.id(b)` exactly when a and b have the same structure
 * (same kinds, ops, constants bit for bit with -0 ≠ 0, parameter names). Each node object is
 * looked at once; a node's signature names its children by id, so it has constant size. Make one
 * per job (an emitter run, a simplification): it holds every node it has seen.
 *
 * @example const ids = new StructuralIds(); ids.id(mul(x, x)) === ids.id(mul(x, x)) // true
 */
export class StructuralIds {
  readonly #byNode = new Map<Node, number>();
  readonly #bySignature = new Map<string, number>();
  readonly #signatures: string[] = [];
  readonly #representatives: Node[] = [];

  /** The id of e's structure. */
  id(e: Node): number {
    const known = this.#byNode.get(e);
    if (known !== undefined) return known;
    const sig = signature(e, (child) => this.id(child));
    let id = this.#bySignature.get(sig);
    if (id === undefined) {
      id = this.#signatures.length;
      this.#bySignature.set(sig, id);
      this.#signatures.push(sig);
      this.#representatives.push(e);
    }
    this.#byNode.set(e, id);
    return id;
  }

  /** The first node seen with e's structure: structurally equal nodes become one object. */
  canonical<T extends Node>(e: T): T {
    return this.#representatives[this.id(e)] as T;
  }

  /** Do a and b have the same structure? */
  same(a: Node, b: Node): boolean {
    return a === b || this.id(a) === this.id(b);
  }

  /** Distinct structures seen so far. */
  get size(): number {
    return this.#signatures.length;
  }

  /** The signatures in the order their ids were given: a canonical serialisation of what was seen. */
  signatures(): readonly string[] {
    return this.#signatures;
  }
}

const keys = new WeakMap<Node, string>();

/**
 * A string equal for structurally equal expressions (a canonical serialisation of the distinct
 * sub-expressions, so its length grows with their number, not with the depth of sharing).
 *
 * @example exprKey(mul(x, 2)) === exprKey(mul(x, 2)) // true
 */
export function exprKey(e: Node): string {
  let key = keys.get(e);
  if (key === undefined) {
    const ids = new StructuralIds();
    ids.id(e);
    key = ids.signatures().join(';');
    keys.set(e, key);
  }
  return key;
}

/**
 * A function of nodes computed once per node object (a memo for one job): recursive algorithms
 * over shared sub-expressions stay linear in the number of nodes.
 *
 * @example const size = memoized<Node, number>((e, self) => 1 + children(e).reduce((s, c) => s + self(c), 0));
 */
export function memoized<A extends object, R>(
  compute: (node: A, self: (node: A) => R) => R,
): (node: A) => R {
  const memo = new Map<A, R>();
  const self = (node: A): R => {
    if (memo.has(node)) return memo.get(node) as R;
    const result = compute(node, self);
    memo.set(node, result);
    return result;
  };
  return self;
}

/** The direct sub-expressions of an expression or condition. */
export function children(e: Node): Node[] {
  switch (e.kind) {
    case 'const':
    case 'input':
    case 'param':
      return [];
    case 'unary':
      return [e.arg];
    case 'binary':
    case 'compare':
      return [e.left, e.right];
    case 'powi':
      return [e.base];
    case 'select':
      return [e.cond, e.ifTrue, e.ifFalse];
  }
}

/** Every distinct node object reachable from `root` (root last: children before parents). */
export function nodesOf(root: Node): Node[] {
  const seen = new Set<Node>();
  const order: Node[] = [];
  // an explicit stack: a deep chain must not need a deep call stack here
  const stack: Array<[Node, boolean]> = [[root, false]];
  while (stack.length > 0) {
    const [node, expanded] = stack.pop()!;
    if (expanded) {
      order.push(node);
      continue;
    }
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push([node, true]);
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--)
      if (!seen.has(kids[i]!)) stack.push([kids[i]!, false]);
  }
  return order;
}

/** Nesting depth (a leaf is 1) and the number of distinct structures. */
export function measure(e: Node): { depth: number; nodes: number } {
  const ids = new StructuralIds();
  let depth = 0;
  const depths = new Map<Node, number>();
  for (const node of nodesOf(e)) {
    ids.id(node);
    let d = 1;
    for (const child of children(node)) d = Math.max(d, depths.get(child)! + 1);
    depths.set(node, d);
    depth = Math.max(depth, d);
  }
  return { depth, nodes: ids.size };
}

/**
 * How many times each distinct structure in `root` is used: once per occurrence as a child of a
 * distinct parent structure (the root counts once). Emitters bind structures used more than once
 * to a temporary. Ids are those of `ids` (pass the emitter's own).
 */
export function useCounts(root: Node, ids: StructuralIds): Map<number, number> {
  const uses = new Map<number, number>();
  const expanded = new Set<number>();
  const count = (node: Node): void => {
    const id = ids.id(node);
    uses.set(id, (uses.get(id) ?? 0) + 1);
    if (expanded.has(id)) return;
    expanded.add(id);
    for (const child of children(node)) count(child);
  };
  count(root);
  return uses;
}

/** Unary ops that cost a polynomial evaluation or more (exp, log, tanh, erf, sin, σ, softplus, …). */
export const TRANSCENDENTAL_OPS: ReadonlySet<string> = new Set([
  'exp',
  'expm1',
  'log',
  'log1p',
  'tanh',
  'erf',
  'erfc',
  'sin',
  'cos',
  'sigmoid',
  'softplus',
]);

/** How many distinct transcendental sub-expressions `e` evaluates: what a kernel's size and compile time follow. */
export function transcendentalCount(e: Node): number {
  let count = 0;
  for (const node of nodesOf(e))
    if (node.kind === 'unary' && TRANSCENDENTAL_OPS.has(node.op)) count++;
  return count;
}
