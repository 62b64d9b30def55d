/**
 * Random expression trees for fuzzing, as plain objects (what JSON.parse or a hand-built tree
 * gives): well-formed ones, and ones with a hostile field — a string or object constant whose
 * evaluation would set a sentinel global, a prototype name as kind, op or parameter, NaN, ∞, a
 * getter, a cycle, nesting past the limit. Nothing in them may ever run: `sentinel()` says
 * whether anything did.
 */

/** The global a hostile tree's payload sets if anything ever executes it. */
export const SENTINEL = '__activationsFuzzSentinel';

/** Whether any payload ran (the sentinel global is set). */
export function sentinel(): boolean {
  return (globalThis as Record<string, unknown>)[SENTINEL] !== undefined;
}

const PAYLOAD = `(globalThis.${SENTINEL}=1,0)`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const UNARY = [
  'neg',
  'abs',
  'exp',
  'tanh',
  'erf',
  'erfc',
  'sin',
  'cos',
  'sigmoid',
  'softplus',
  'expm1',
  'sign',
];
const BINARY = ['add', 'sub', 'mul', 'min', 'max'];
const COMPARE = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];
const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'prototype',
];

type Tree = Record<string, unknown>;

function wellFormed(random: () => number, depth: number): Tree {
  if (depth === 0 || random() < 0.25) {
    const r = random();
    if (r < 0.5) return { kind: 'input' };
    if (r < 0.6) return { kind: 'param', name: 'alpha' };
    return { kind: 'const', value: Math.round((random() * 8 - 4) * 8) / 8 };
  }
  const pick = random();
  const sub = () => wellFormed(random, depth - 1);
  if (pick < 0.4)
    return { kind: 'unary', op: UNARY[Math.floor(random() * UNARY.length)], arg: sub() };
  if (pick < 0.75)
    return {
      kind: 'binary',
      op: BINARY[Math.floor(random() * BINARY.length)],
      left: sub(),
      right: sub(),
    };
  if (pick < 0.82) {
    // a denominator bounded away from 0, as a user would write
    return {
      kind: 'binary',
      op: 'div',
      left: sub(),
      right: {
        kind: 'binary',
        op: 'add',
        left: { kind: 'const', value: 2 },
        right: { kind: 'unary', op: 'abs', arg: sub() },
      },
    };
  }
  if (pick < 0.9) return { kind: 'powi', base: sub(), exponent: 2 + Math.floor(random() * 2) };
  return {
    kind: 'select',
    cond: {
      kind: 'compare',
      op: COMPARE[Math.floor(random() * COMPARE.length)],
      left: sub(),
      right: sub(),
    },
    ifTrue: sub(),
    ifFalse: sub(),
  };
}

function nodes(tree: Tree): Tree[] {
  const seen = new Set<Tree>();
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const key of ['arg', 'left', 'right', 'base', 'cond', 'ifTrue', 'ifFalse']) {
      const child = Object.getOwnPropertyDescriptor(node, key)?.value;
      if (typeof child === 'object' && child !== null) stack.push(child as Tree);
    }
  }
  return [...seen];
}

const payloadObject = () => ({
  toString() {
    (globalThis as Record<string, unknown>)[SENTINEL] = 1;
    return '0';
  },
  valueOf() {
    (globalThis as Record<string, unknown>)[SENTINEL] = 1;
    return 0;
  },
});

/** One way to make a node hostile, applied in place. */
const MUTATIONS: ReadonlyArray<(node: Tree, random: () => number) => void> = [
  (n) => Object.assign(n, { kind: 'const', value: PAYLOAD }),
  (n) => Object.assign(n, { kind: 'const', value: payloadObject() }),
  (n) => Object.assign(n, { kind: 'const', value: Number.NaN }),
  (n) => Object.assign(n, { kind: 'const', value: Number.POSITIVE_INFINITY }),
  (n) => Object.assign(n, { kind: 'const', value: [1] }),
  (n, r) => Object.assign(n, { kind: PROTOTYPE_NAMES[Math.floor(r() * PROTOTYPE_NAMES.length)] }),
  (n, r) =>
    Object.assign(n, {
      kind: 'unary',
      op: PROTOTYPE_NAMES[Math.floor(r() * PROTOTYPE_NAMES.length)],
      arg: { kind: 'input' },
    }),
  (n, r) =>
    Object.assign(n, {
      kind: 'param',
      name: PROTOTYPE_NAMES[Math.floor(r() * PROTOTYPE_NAMES.length)],
    }),
  (n) => Object.assign(n, { kind: 'param', name: PAYLOAD }),
  (n) => Object.assign(n, { kind: 'unary', op: PAYLOAD, arg: { kind: 'input' } }),
  (n) => {
    for (const key of Object.keys(n)) delete n[key];
    Object.defineProperty(n, 'kind', {
      enumerable: true,
      get() {
        (globalThis as Record<string, unknown>)[SENTINEL] = 1;
        return 'input';
      },
    });
  },
  (n) => Object.assign(n, { kind: 'unary', op: 'neg', arg: n }), // a cycle
  (n) => Object.assign(n, { kind: 'powi', base: { kind: 'input' }, exponent: 1e9 }),
  (n) =>
    Object.assign(n, {
      kind: 'binary',
      op: 'add',
      left: { kind: 'compare', op: 'lt', left: { kind: 'input' }, right: { kind: 'input' } },
      right: { kind: 'input' },
    }),
  (n) => {
    let deep: Tree = { kind: 'input' };
    for (let i = 0; i < 500; i++) deep = { kind: 'unary', op: 'neg', arg: deep };
    Object.assign(n, deep);
  },
  (n) =>
    Object.assign(n, {
      kind: 'select',
      cond: { kind: 'input' },
      ifTrue: { kind: 'input' },
      ifFalse: { kind: 'input' },
    }),
];

/**
 * `count` trees (deterministic for a seed): about a third well-formed, the rest with one or two
 * hostile mutations. A tree may use the parameter 'alpha'.
 *
 * @example for (const tree of hostileTrees(10_000, 1)) try { defineActivation({ id: 't', params: …, forward: tree }) } catch {}
 */
export function hostileTrees(count: number, seed = 1): unknown[] {
  const random = rng(seed);
  const trees: unknown[] = [];
  for (let k = 0; k < count; k++) {
    const tree = wellFormed(random, 1 + Math.floor(random() * 6));
    if (random() >= 0.35) {
      const mutations = 1 + Math.floor(random() * 2);
      for (let m = 0; m < mutations; m++) {
        const all = nodes(tree);
        const target = all[Math.floor(random() * all.length)]!;
        if (!Object.getOwnPropertyDescriptor(target, 'kind')?.get)
          MUTATIONS[Math.floor(random() * MUTATIONS.length)]!(target, random);
      }
    }
    trees.push(tree);
  }
  return trees;
}
