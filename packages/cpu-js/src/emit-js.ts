/**
 * Expression → JavaScript source. Shared sub-expressions are bound once (`const t0 = …`);
 * library functions are expanded to their stable primitive forms; erf/erfc/powi come from
 * `@activations/core` as parameters of the generated function.
 */
import type { Condition, Expr, UnaryOp } from '@activations/core';
import {
  expandLibrary,
  type LibraryForm,
  StructuralIds,
  simplify,
  useCounts,
} from '@activations/core/backend';

/** Which helper functions the emitted code calls (all from @activations/core). */
export type JsHelper = 'erf' | 'erfc' | 'powi';

/** Straight-line JS computing one expression from the variable `input`. */
export interface EmittedScalar {
  /** `const tN = …;` lines, in order. */
  readonly statements: readonly string[];
  /** The JS expression for the result (may use the temporaries). */
  readonly result: string;
  readonly helpers: ReadonlySet<JsHelper>;
}

const MATH: Partial<Record<UnaryOp, string>> = {
  abs: 'Math.abs',
  sign: 'Math.sign',
  exp: 'Math.exp',
  expm1: 'Math.expm1',
  log: 'Math.log',
  log1p: 'Math.log1p',
  sqrt: 'Math.sqrt',
  tanh: 'Math.tanh',
  sin: 'Math.sin',
  cos: 'Math.cos',
};
const COMPARE = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '===', ne: '!==' } as const;
const BINARY = { add: '+', sub: '-', mul: '*', div: '/' } as const;

/** A number as JS source: the only values generated code ever contains besides fixed names. */
function literal(v: number): string {
  if (typeof v !== 'number') throw new TypeError(`only numbers are emitted, got ${typeof v}`);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${v})` : String(v);
}

/**
 * Emits straight-line JS for `e` reading the variable named `input`.
 *
 * @example emitScalar(mul(x, x), 'v') // { statements: [], result: '(v * v)', helpers: Set {} }
 */
export function emitScalar(e: Expr, input: string, form: LibraryForm = 'float64'): EmittedScalar {
  if (!/^[A-Za-z_$][\w$]*$/.test(input))
    throw new TypeError(`the input variable must be an identifier, got ${input}`);
  const root = simplify(expandLibrary(e, form));
  const ids = new StructuralIds();
  const uses = useCounts(root, ids);

  const statements: string[] = [];
  const bound = new Map<string, string>();
  const helpers = new Set<JsHelper>();

  const bind = (key: string, code: string): string => {
    const name = `t${bound.size}`;
    statements.push(`const ${name} = ${code};`);
    bound.set(key, name);
    return name;
  };

  const emit = (node: Expr): string => {
    if (node.kind === 'const') return literal(node.value);
    if (node.kind === 'input') return input;
    const id = ids.id(node);
    const key = String(id);
    const existing = bound.get(key);
    if (existing) return existing;
    const code = emitNode(node);
    return (uses.get(id) ?? 0) > 1 ? bind(key, code) : code;
  };

  const emitCondition = (c: Condition): string =>
    `${emit(c.left)} ${COMPARE[c.op]} ${emit(c.right)}`;

  const emitNode = (node: Expr): string => {
    switch (node.kind) {
      case 'const':
      case 'input':
        return emit(node);
      case 'param':
        throw new Error(
          `parameter '${node.name}' is unbound; create the activation with its parameters first`,
        );
      case 'unary': {
        const arg = emit(node.arg);
        if (node.op === 'neg') return `(-${arg})`;
        if (node.op === 'erf' || node.op === 'erfc') {
          helpers.add(node.op);
          return `${node.op}(${arg})`;
        }
        const fn = MATH[node.op];
        if (!fn) throw new Error(`no JS form for ${node.op}; expand library functions first`);
        return `${fn}(${arg})`;
      }
      case 'binary': {
        const a = emit(node.left);
        const b = emit(node.right);
        if (node.op === 'min' || node.op === 'max') {
          // against a non-NaN constant c: max(a, c) = a <= c ? c : a — one comparison, NaN still
          // passes through, and faster than Math.max in V8
          const test = node.op === 'max' ? '<=' : '>=';
          if (node.right.kind === 'const' && !Number.isNaN(node.right.value))
            return `(${a} ${test} ${b} ? ${b} : ${a})`;
          if (node.left.kind === 'const' && !Number.isNaN(node.left.value))
            return `(${b} ${test} ${a} ? ${a} : ${b})`;
          return `Math.${node.op}(${a}, ${b})`;
        }
        return `(${a} ${BINARY[node.op]} ${b})`;
      }
      case 'powi': {
        const n = node.exponent;
        if (n >= 2 && n <= 4) {
          const base = emit(node.base);
          const simple = /^[\w.]+$/.test(base)
            ? base
            : bind(`powi-base:${ids.id(node.base)}`, base);
          return `(${Array(n).fill(simple).join(' * ')})`;
        }
        helpers.add('powi');
        return `powi(${emit(node.base)}, ${n})`;
      }
      case 'select':
        return `(${emitCondition(node.cond)} ? ${emit(node.ifTrue)} : ${emit(node.ifFalse)})`;
    }
  };

  const result = emit(root);
  return { statements, result, helpers };
}

/** The kernel shapes cpu-js generates. */
export type KernelShape = 'map' | 'backward' | 'reduce';

const HELPER_IMPORTS: Record<JsHelper, string> = {
  erf: 'erf64 as erf',
  erfc: 'erfc64 as erfc',
  powi: 'powi64 as powi',
};

/**
 * Source of a loop kernel over typed arrays: `map` (x, out, n), `backward` (x, dy, out, n) writing
 * dy·f(x), `reduce` (x, dy, n) returning Σ dy·f(x). Helpers are the parameters `erf, erfc, powi`.
 */
export function emitKernelSource(
  e: Expr,
  shape: KernelShape,
  form: LibraryForm = 'float64',
): string {
  const { statements, result } = emitScalar(e, 'v', form);
  const body = [...statements.map((s) => `    ${s}`)];
  const loop = (line: string) => [
    '  for (let i = 0; i < n; i++) {',
    '    const v = x[i];',
    ...body,
    `    ${line}`,
    '  }',
  ];
  switch (shape) {
    case 'map':
      return ['return function kernel(x, out, n) {', ...loop(`out[i] = ${result};`), '};'].join(
        '\n',
      );
    case 'backward':
      return [
        'return function kernel(x, dy, out, n) {',
        ...loop(`out[i] = dy[i] * ${result};`),
        '};',
      ].join('\n');
    case 'reduce':
      return [
        'return function kernel(x, dy, n) {',
        '  let sum = 0;',
        ...loop(`sum += dy[i] * ${result};`),
        '  return sum;',
        '};',
      ].join('\n');
  }
}

/**
 * A standalone JS function for an expression, to paste into your own code. Functions it needs
 * beyond Math (erf, erfc) are imported from @activations/core.
 *
 * @example toJSFunction(gelu.create().kernels.forward, 'gelu')
 */
export function toJSFunction(e: Expr, name: string): string {
  const { statements, result, helpers } = emitScalar(e, 'x');
  const imports = [...helpers].map((h) => HELPER_IMPORTS[h]);
  const lines = [
    ...(imports.length ? [`import { ${imports.join(', ')} } from '@activations/core';`, ''] : []),
    `export function ${name}(x) {`,
    ...statements.map((s) => `  ${s}`),
    `  return ${result};`,
    '}',
  ];
  return lines.join('\n');
}
