/**
 * Expression → WGSL. An activation becomes one `fn name(x: f32) -> f32` built from the helpers of
 * wgsl-math.ts: shared sub-expressions bound once (`let tN = …;`), library functions expanded to
 * their stable forms, and the special inputs (NaN, ±∞) answered from the bits of x before any
 * arithmetic — devices may assume no NaN or ∞ ever occurs, so NaN and ∞ never enter the math.
 */
import {
  type Activation,
  add,
  BadInputError,
  type Condition,
  div,
  type Expr,
  mul,
  neg,
  param,
  select,
  sub,
  type UnaryOp,
  UnsupportedOperationError,
} from '@activations/core';
import {
  checkActivation,
  children,
  describeValue,
  exactSquareOf,
  expandLibrary,
  expandSoftplus,
  float32Shape,
  inputThreshold,
  isPowerOfTwo,
  memoized,
  opRange,
  StructuralIds,
  scaledInput,
  scaledSquare,
  simplify,
  useCounts,
} from '@activations/core/backend';
import { type DfHelper, dfLiteral, doubleFloatLibrary, hornerDf } from './wgsl-df.js';
import { f32Literal, type MathHelper, mathLibrary } from './wgsl-math.js';

/**
 * The arithmetic a function is emitted in: 'f32' (fast; stable forms and compensated patterns)
 * or 'df32' (double-float pairs, about 48 bits, for kernels whose float32 form misses 4 ULP).
 */
export type Precision = 'f32' | 'df32';

/** One emitted WGSL function and the helpers it calls. */
export interface WgslFunction {
  readonly name: string;
  readonly code: string;
  readonly helpers: ReadonlySet<MathHelper>;
  readonly dfHelpers: ReadonlySet<DfHelper>;
  readonly precision: Precision;
  /** `fn name(x: f32, m: f32)` computing m·f(x) (backward: m = dy), else `fn name(x: f32)`. */
  readonly scaled: boolean;
}

/** The parameter that stands for a backward kernel's dy inside the expression (see scaledBy). */
const SCALE = 'act_m';

/**
 * m·e with the factor m pushed down to where it meets e^a and σ factors (through selects,
 * numerators, negations and sums), so dy·f′(x) is formed as one product: dy can bring a value
 * that alone would be a denormal (σ′(88) = 6e-39) back into the normal range before anything is
 * flushed. Shared sub-expressions stay shared.
 */
function scaledBy(e: Expr): Expr {
  const m = param(SCALE);
  // where a value can fall below the normal range: exponentials, σ, softplus, powers
  const hasDecay = memoized<Expr, boolean>((node, self) =>
    (node.kind === 'unary' &&
      (node.op === 'exp' || node.op === 'sigmoid' || node.op === 'softplus')) ||
    (node.kind === 'powi' && node.exponent >= 2)
      ? true
      : children(node).some((c) => c.kind !== 'compare' && self(c as Expr)),
  );
  const push = memoized<Expr, Expr>((node, self) => {
    if (!hasDecay(node)) return mul(m, node);
    switch (node.kind) {
      case 'select':
        return select(node.cond, self(node.ifTrue), self(node.ifFalse));
      case 'unary':
        return node.op === 'neg' ? neg(self(node.arg)) : mul(m, node);
      case 'powi':
        // m·b^n as ((m·b)·b)…: b^n alone may be a denormal (tanh(x)² for x ~ 1e-21)
        if (node.exponent >= 2 && node.exponent <= 4) {
          let product = mul(m, node.base);
          for (let i = 1; i < node.exponent; i++) product = mul(product, node.base);
          return product;
        }
        return mul(m, node);
      case 'binary':
        if (node.op === 'div') return div(self(node.left), node.right);
        if (node.op === 'add' || node.op === 'sub')
          return (node.op === 'add' ? add : sub)(self(node.left), self(node.right));
        return mul(m, node);
      default:
        return mul(m, node);
    }
  });
  return push(e);
}

/** The helper functions a WgslFunction calls, as WGSL source. */
export function librarySource(fn: WgslFunction): string {
  const parts = [mathLibrary(fn.helpers)];
  if (fn.precision === 'df32') parts.push(doubleFloatLibrary(fn.dfHelpers));
  return parts.join('\n\n');
}

const COMPARE = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' } as const;
const FLIP = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' } as const;
const ZERO_TEST = {
  lt: 'act_lt0',
  le: 'act_le0',
  gt: 'act_gt0',
  ge: 'act_ge0',
  eq: 'act_eq0',
} as const;

/** The bits of a float32 value as a WGSL u32 literal. */
function bitsLiteral(value: number): string {
  return `0x${new Uint32Array(new Float32Array([value]).buffer)[0]!.toString(16)}u`;
}

/** A float32 value as WGSL: a hex literal, or a bit cast for ±∞ and NaN. */
function valueLiteral(value: number, helpers: Set<MathHelper>): string {
  if (Number.isFinite(value)) return f32Literal(value);
  helpers.add('bits');
  if (Number.isNaN(value)) return 'act_nan()';
  return value > 0 ? 'act_inf()' : '(-act_inf())';
}

/**
 * c·e + d (or e/k + d, c = 1/k) with constants c and d, when float32 cannot hold c exactly: then
 * c·e ≈ -d would lose every digit to the constant's rounding, and `act_mad_c` compensates.
 */
function constantScaled(product: Expr, other: Expr): { c: number; e: Expr; d: number } | undefined {
  if (other.kind !== 'const' || !Number.isFinite(other.value) || product.kind !== 'binary')
    return undefined;
  let c: number | undefined;
  let e: Expr | undefined;
  if (product.op === 'mul' && product.left.kind === 'const')
    [c, e] = [product.left.value, product.right];
  else if (product.op === 'mul' && product.right.kind === 'const')
    [c, e] = [product.right.value, product.left];
  else if (
    product.op === 'div' &&
    product.right.kind === 'const' &&
    !isPowerOfTwo(product.right.value)
  )
    [c, e] = [1 / product.right.value, product.left];
  if (
    c === undefined ||
    e === undefined ||
    !Number.isFinite(c) ||
    Math.fround(c) === c ||
    !Number.isFinite(Math.fround(c))
  )
    return undefined;
  return { c, e, d: other.value };
}

/**
 * An exp argument ±c·e or ±|c·e| with a constant c that is not a power of two (so c·e rounds):
 * `act_exp_mul` keeps the rounding error of the product.
 */
function constantProduct(
  arg: Expr,
): { c: number; e: Expr; sign: 1 | -1; absolute: boolean } | undefined {
  let sign: 1 | -1 = 1;
  let node = arg;
  if (node.kind === 'unary' && node.op === 'neg') [sign, node] = [-1, node.arg];
  let absolute = false;
  if (node.kind === 'unary' && node.op === 'abs') [absolute, node] = [true, node.arg];
  if (node.kind !== 'binary' || node.op !== 'mul') return undefined;
  const [c, e] =
    node.left.kind === 'const'
      ? [node.left.value, node.right]
      : node.right.kind === 'const'
        ? [node.right.value, node.left]
        : [undefined, undefined];
  if (
    c === undefined ||
    e === undefined ||
    !Number.isFinite(c) ||
    isPowerOfTwo(c) ||
    !Number.isFinite(Math.fround(c))
  )
    return undefined;
  return { c, e, sign, absolute };
}

/** The expression as WGSL kernels compute it: library functions in their portable stable forms. */
export function wgslExpression(e: Expr, keep?: ReadonlySet<UnaryOp>): Expr {
  return simplify(expandLibrary(e, 'portable', keep));
}

/**
 * WGSL emits σ itself (act_mul_sigmoid, act_dmul_sigmoid) and sees tanh(softplus(a)) whole
 * (act_mul_tanh_softplus), so a product can scale them before they underflow; a softplus
 * elsewhere is emitted as its stable expansion.
 */
const F32_KEEP: ReadonlySet<UnaryOp> = new Set(['sigmoid', 'softplus']);

/** a when `e` is tanh(softplus(a)) (mish's gate). */
function tanhSoftplusArg(e: Expr): Expr | undefined {
  return e.kind === 'unary' && e.op === 'tanh' && e.arg.kind === 'unary' && e.arg.op === 'softplus'
    ? e.arg.arg
    : undefined;
}

/**
 * The divisors of a / e taken one at a time: e's factors when it is a product, or its base n
 * times when it is b^n (2 ≤ n ≤ 4); undefined otherwise (one division).
 */
function divisorsOf(e: Expr): Expr[] | undefined {
  if (e.kind === 'powi' && e.exponent >= 2 && e.exponent <= 4)
    return Array.from({ length: e.exponent }, () => e.base);
  if (e.kind !== 'binary' || e.op !== 'mul') return undefined;
  return factorsOf(e).flatMap((f) => divisorsOf(f) ?? [f]);
}

/** The factors of a product (through nested products only). */
function factorsOf(e: Expr): Expr[] {
  if (e.kind !== 'binary' || e.op !== 'mul') return [e];
  return [...factorsOf(e.left), ...factorsOf(e.right)];
}

/**
 * Emits `fn name(x: f32) -> f32` for `e`. `specials` gives the float64 reference's values at
 * ±∞ (rounded to float32 here), returned for those inputs before any arithmetic; NaN returns NaN.
 *
 * @example emitFunction(sigmoid.create().kernels.forward, 'sigmoid', { positive: 1, negative: 0 })
 */
export function emitFunction(
  e: Expr,
  name: string,
  specials: { positive: number; negative: number; zero?: number; negativeZero?: number },
  precision: Precision = 'f32',
  scaled = false,
  range?: { readonly lo: number; readonly hi: number },
): WgslFunction {
  const df = precision === 'df32';
  // dy pushed in after simplification (which would fold (m·b)·b back into m·b²)
  const plain = wgslExpression(e, F32_KEEP);
  const root = scaled ? scaledBy(plain) : plain;
  const ids = new StructuralIds();
  const uses = useCounts(root, ids);

  const helpers = new Set<MathHelper>(['bits']);
  const statements: string[] = [];
  const bound = new Map<string, string>();
  const use = (helper: MathHelper, call: string) => {
    helpers.add(helper);
    return call;
  };
  const dfHelpers = new Set<DfHelper>();
  const useDf = (helper: DfHelper, call: string) => {
    dfHelpers.add(helper);
    if (helper === 'trig') helpers.add('trig');
    return call;
  };

  const emit = (node: Expr): string => {
    if (node.kind === 'const') {
      if (!df) return valueLiteral(node.value, helpers);
      return Number.isFinite(node.value) && Number.isFinite(Math.fround(node.value))
        ? dfLiteral(node.value)
        : `vec2<f32>(${valueLiteral(node.value, helpers)}, 0.0f)`;
    }
    if (node.kind === 'input') return df ? 'xd' : 'x';
    if (node.kind === 'param' && node.name === SCALE && scaled)
      return df ? 'vec2<f32>(m, 0.0f)' : 'm';
    const id = ids.id(node);
    const key = `n${id}`;
    const existing = bound.get(key);
    if (existing) return existing;
    const code = emitNode(node);
    if ((uses.get(id) ?? 0) < 2) return code;
    const local = `t${bound.size}`;
    statements.push(`  let ${local} = ${code};`);
    bound.set(key, local);
    return local;
  };

  const emitCondition = (c: Condition): string => {
    // c·x + d against k as x against a float32 threshold (the reference decides in float64)
    // (a threshold of 0 keeps the bit test below: a flushing device would call 1e-45 > 0 false)
    const t = inputThreshold(c.op, c.left, c.right);
    if (t && t.threshold !== 0) return `(x ${COMPARE[t.op]} ${f32Literal(t.threshold)})`;
    if (df) return emitDfCondition(c);
    // comparisons with 0 on the bits: a device that flushes denormals would call 1e-45 > 0 false
    if (c.op !== 'ne') {
      if (c.right.kind === 'const' && c.right.value === 0)
        return use('cmp0', `${ZERO_TEST[c.op]}(${emit(c.left)})`);
      if (c.left.kind === 'const' && c.left.value === 0)
        return use('cmp0', `${ZERO_TEST[FLIP[c.op]]}(${emit(c.right)})`);
    }
    return `(${emit(c.left)} ${COMPARE[c.op]} ${emit(c.right)})`;
  };

  /** Double-float comparisons: with 0 on the sign of hi (lo is 0 when hi is), else on both parts. */
  const emitDfCondition = (c: Condition): string => {
    if (c.op !== 'ne') {
      if (c.right.kind === 'const' && c.right.value === 0)
        return use('cmp0', `${ZERO_TEST[c.op]}(${emit(c.left)}.x)`);
      if (c.left.kind === 'const' && c.left.value === 0)
        return use('cmp0', `${ZERO_TEST[FLIP[c.op]]}(${emit(c.right)}.x)`);
    }
    const [a, b] = [emit(c.left), emit(c.right)];
    switch (c.op) {
      case 'lt':
        return `act_dlt(${a}, ${b})`;
      case 'le':
        return `act_dle(${a}, ${b})`;
      case 'gt':
        return `act_dlt(${b}, ${a})`;
      case 'ge':
        return `act_dle(${b}, ${a})`;
      case 'eq':
        return `act_deq(${a}, ${b})`;
      case 'ne':
        return `!act_deq(${a}, ${b})`;
    }
  };

  const DF_UNARY = {
    abs: ['core', 'act_dabs'],
    sqrt: ['core', 'act_dsqrt'],
    sign: ['core', 'act_dsign'],
    exp: ['exp', 'act_dexp'],
    expm1: ['expm1', 'act_dexpm1'],
    log: ['log', 'act_dlog'],
    log1p: ['log', 'act_dlog1p'],
    tanh: ['tanh', 'act_dtanh'],
    erf: ['erf', 'act_derf'],
    erfc: ['erfc', 'act_derfc'],
    sin: ['trig', 'act_dsin'],
    cos: ['trig', 'act_dcos'],
  } as const;

  /** base^n by squaring, each square bound once; `mul`/`div` build the arithmetic. */
  const emitPowi = (
    node: Extract<Expr, { kind: 'powi' }>,
    mul: (a: string, b: string) => string,
    one: string,
    div: (a: string, b: string) => string,
  ): string => {
    let n = Math.abs(node.exponent);
    let base = emit(node.base);
    let result: string | undefined;
    while (n > 0) {
      if (n & 1) result = result === undefined ? base : mul(result, base);
      n >>>= 1;
      if (n > 0) {
        const key = `powi-square:${base}`;
        const squared = bound.get(key) ?? `t${bound.size}`;
        if (!bound.has(key)) statements.push(`  let ${squared} = ${mul(base, base)};`);
        bound.set(key, squared);
        base = squared;
      }
    }
    const positive = result ?? one;
    return node.exponent < 0 ? div(one, positive) : positive;
  };

  /** left·right in double-float (a power-of-two constant factor is exact on both parts). */
  const dfProduct = (left: Expr, right: Expr): string => {
    if (right.kind === 'const' && isPowerOfTwo(right.value))
      return `(${emit(left)} * ${f32Literal(right.value)})`;
    if (left.kind === 'const' && isPowerOfTwo(left.value))
      return `(${emit(right)} * ${f32Literal(left.value)})`;
    return `act_dmul(${emit(left)}, ${emit(right)})`;
  };

  /** left·right in float32. */
  const plainProduct = (node: Extract<Expr, { kind: 'binary' }>): string =>
    `(${emit(node.left)} * ${emit(node.right)})`;

  const emitDfNode = (node: Operation): string => {
    // a long Horner chain becomes a loop over a constant table: SwiftShader's compile time and
    // memory grow steeply with the length of the inlined straight-line double-float code
    const horner = hornerChain(node, 4, ids);
    if (horner) {
      const id = bound.size;
      bound.set(`horner:${id}`, `p${id}`);
      statements.push(
        `  let u${id} = ${emit(horner.u)};`,
        `  ${hornerDf(horner.coefficients, `u${id}`, `p${id}`)}`,
      );
      return `p${id}`;
    }
    switch (node.kind) {
      case 'unary': {
        const { op, arg } = node;
        if (op === 'softplus') return emit(expandSoftplus(arg));
        const root = float32Shape(node);
        if (root?.shape === 'sqrt-square-plus')
          return useDf('core', `act_dsqrt_sq_plus(${emit(root.base)}, ${dfLiteral(root.c)})`);
        const a = emit(arg);
        if (op === 'neg') return `(-${a})`;
        if (op === 'sigmoid') return useDf('exp', `act_dmul_sigmoid(act_dc(1.0f, 0.0f), ${a})`);
        const [helper, fn] = DF_UNARY[op];
        return useDf(helper, `${fn}(${a})`);
      }
      case 'binary': {
        const { op, left, right } = node;
        if (op === 'mul') return signed(node, scaledProduct(node) ?? dfProduct(left, right));
        // dividing by a power of two is exact on both parts
        if (op === 'div' && right.kind === 'const' && isPowerOfTwo(right.value))
          return `(${emit(left)} * ${f32Literal(1 / right.value)})`;
        // a / (b·c·…) and a / b^n as a / b / c / …: the denominator may overflow where the quotient
        // is a normal number (squareplus′ at x = -9.2e18: 2·s·(s - x) > FLT_MAX)
        const divisors = op === 'div' ? divisorsOf(right) : undefined;
        if (divisors) return divisors.reduce((q, d) => `act_ddiv(${q}, ${emit(d)})`, emit(left));
        const [a, b] = [emit(left), emit(right)];
        const fn = {
          add: 'act_dadd',
          sub: 'act_dsub',
          mul: 'act_dmul',
          div: 'act_ddiv',
          min: 'act_dmin',
          max: 'act_dmax',
        }[op];
        return `${fn}(${a}, ${b})`;
      }
      case 'powi':
        return emitPowi(
          node,
          (a, b) => `act_dmul(${a}, ${b})`,
          'vec2<f32>(1.0f, 0.0f)',
          (a, b) => `act_ddiv(${a}, ${b})`,
        );
      case 'select':
        return `select(${emit(node.ifFalse)}, ${emit(node.ifTrue)}, ${emitCondition(node.cond)})`;
    }
  };

  /**
   * A product with factors e^a, e^(k·x²) or σ(a): the other factors are multiplied first and the
   * result scaled by each such factor in turn (act_exp_times, act_mul_sigmoid), so a factor that
   * alone would be a denormal (σ(-88), e^-88) cannot be flushed to 0 where the product is normal.
   */
  const scaledProduct = (node: Expr): string | undefined => {
    const factors = factorsOf(node);
    const decays: Expr[] = [];
    const others: Expr[] = [];
    for (const f of factors) {
      const scalable =
        f.kind === 'unary' &&
        (f.op === 'sigmoid' ||
          (f.op === 'exp' && (df || constantProduct(f.arg) === undefined)) ||
          tanhSoftplusArg(f) !== undefined);
      (scalable ? decays : others).push(f);
    }
    if (decays.length === 0) return undefined;
    if (df) {
      let m = others.length === 0 ? 'act_dc(1.0f, 0.0f)' : emit(others[0]!);
      for (const f of others.slice(1)) m = `act_dmul(${m}, ${emit(f)})`;
      for (const f of decays) {
        if (f.kind !== 'unary') continue;
        const inner = tanhSoftplusArg(f);
        m =
          inner !== undefined
            ? useDf('exp', `act_dmul_tanh_softplus(${m}, ${emit(inner)})`)
            : f.op === 'sigmoid'
              ? useDf('exp', `act_dmul_sigmoid(${m}, ${emit(f.arg)})`)
              : useDf('exp', `act_dexp_times(${emit(f.arg)}, ${m})`);
      }
      return m;
    }
    let m = others.length === 0 ? '1.0f' : others.map((f) => emit(f)).join(' * ');
    if (others.length > 1) m = `(${m})`;
    for (const f of decays) {
      if (f.kind !== 'unary') continue;
      if (f.op === 'sigmoid') {
        m = use('mul_sigmoid', `act_mul_sigmoid(${m}, ${emit(f.arg)})`);
        continue;
      }
      const inner = tanhSoftplusArg(f);
      if (inner !== undefined) {
        m = use('mul_tanh_softplus', `act_mul_tanh_softplus(${m}, ${emit(inner)})`);
        continue;
      }
      const k = scaledSquare(f.arg);
      m =
        k !== undefined
          ? use('exp_scaled_square', `act_exp_scaled_square_times(x, ${f32Literal(k)}, ${m})`)
          : use('exp', `act_exp_times(${emit(f.arg)}, ${m})`);
    }
    return m;
  };

  /**
   * A product of x (or dy) with factors that are never negative (e^a, σ, erfc, …) has x's sign
   * (IEEE: the sign of a product is the xor of its factors'), also where it underflows to 0 —
   * which a device that flushes denormals may return as +0: the sign is set from the bits.
   */
  const signed = (node: Expr, code: string): string => {
    const sign = signCarrier(node);
    if (!sign || !(sign.x || (sign.m && scaled))) return code;
    const bits = [
      ...(sign.x ? ['bitcast<u32>(x)'] : []),
      ...(sign.m && scaled ? ['bitcast<u32>(m)'] : []),
      ...(sign.negate ? ['0x80000000u'] : []),
    ].join(' ^ ');
    helpers.add('bits');
    if (!df) return `act_copysign(${code}, bitcast<f32>(${bits}))`;
    const local = `s${bound.size}`;
    bound.set(`signed:${local}`, local);
    statements.push(`  let ${local} = ${code};`);
    return `vec2<f32>(act_copysign(${local}.x, bitcast<f32>(${bits})), ${local}.y)`;
  };

  const emitNode = (node: Expr): string => {
    if (node.kind === 'const' || node.kind === 'input') return emit(node);
    if (node.kind === 'param') {
      throw new Error(
        `parameter '${node.name}' is unbound; create the activation with its parameters first`,
      );
    }
    if (df) return emitDfNode(node);
    switch (node.kind) {
      case 'unary': {
        const { op, arg } = node;
        if (op === 'exp') {
          const k = scaledSquare(arg);
          if (k !== undefined)
            return use('exp_scaled_square', `act_exp_scaled_square(x, ${f32Literal(k)})`);
          const product = constantProduct(arg);
          if (product) {
            const { c, e, sign, absolute } = product;
            const [hi, lo] = [Math.fround(c), Math.fround(c - Math.fround(c))];
            return use(
              'exp_mul',
              `act_exp_mul(${emit(e)}, ${f32Literal(hi)}, ${f32Literal(lo)}, ${sign}.0f, ${absolute})`,
            );
          }
        }
        if (op === 'erfc') {
          const c = scaledInput(arg);
          if (c !== undefined)
            return use(
              'erfc_scaled',
              `act_erfc_scaled(x, ${f32Literal(c)}, ${f32Literal(exactSquareOf(c)!)})`,
            );
        }
        const root = float32Shape(node);
        if (root?.shape === 'sqrt-square-plus')
          return use('sqrt_sq_plus', `act_sqrt_sq_plus(${emit(root.base)}, ${f32Literal(root.c)})`);
        const a = emit(arg);
        switch (op) {
          case 'neg':
            return `(-${a})`;
          case 'abs':
          case 'sqrt':
            return `${op}(${a})`;
          case 'sign':
          case 'exp':
          case 'expm1':
          case 'log':
          case 'log1p':
          case 'tanh':
          case 'erf':
          case 'erfc':
            return use(op, `act_${op}(${a})`);
          case 'sin':
          case 'cos':
            return use('trig', `act_${op}(${a})`);
          case 'sigmoid':
            return use('mul_sigmoid', `act_mul_sigmoid(1.0f, ${a})`);
          case 'softplus':
            return emit(expandSoftplus(arg));
        }
        break;
      }
      case 'binary': {
        const { op, left, right } = node;
        if (op === 'mul') return signed(node, scaledProduct(node) ?? plainProduct(node));
        const mad =
          op === 'add' ? (constantScaled(left, right) ?? constantScaled(right, left)) : undefined;
        if (mad) {
          const [hi, lo] = [Math.fround(mad.c), Math.fround(mad.c - Math.fround(mad.c))];
          return use(
            'mad_c',
            `act_mad_c(${emit(mad.e)}, ${f32Literal(hi)}, ${f32Literal(lo)}, ${f32Literal(mad.d)})`,
          );
        }
        // a / (b·c·…) and a / b^n as a / b / c / …: the denominator may overflow where the quotient
        // is a normal number
        const divisors = op === 'div' ? divisorsOf(right) : undefined;
        if (divisors) return divisors.reduce((q, d) => `(${q} / ${emit(d)})`, emit(left));
        const a = emit(left);
        if (op === 'div' && right.kind === 'const') {
          const c = right.value;
          if (isPowerOfTwo(c)) return `(${a} * ${f32Literal(1 / c)})`;
          // compilers may turn a / c into a * (1/c), one ULP off: correct it
          if (Number.isFinite(c) && c !== 0)
            return use('divc', `act_divc(${a}, ${f32Literal(c)}, ${f32Literal(1 / c)})`);
        }
        const b = emit(right);
        if (op === 'min' || op === 'max') return `${op}(${a}, ${b})`;
        return `(${a} ${{ add: '+', sub: '-', mul: '*', div: '/' }[op]} ${b})`;
      }
      case 'powi':
        return emitPowi(
          node,
          (a, b) => `(${a} * ${b})`,
          '1.0f',
          (a, b) => `(${a} / ${b})`,
        );
      case 'select':
        return `select(${emit(node.ifFalse)}, ${emit(node.ifTrue)}, ${emitCondition(node.cond)})`;
    }
  };

  const result = emit(root);
  if (df) statements.unshift('  let xd = vec2<f32>(x, 0.0f);');
  const times = scaled ? ' * m' : '';
  // f clamped into the op's declared range (not m·f′: dy may be negative): rounding can step out
  // (selects, not min/max: those may return +0 for min(-0, 0), and NaN stays NaN)
  const clamped = (code: string) => {
    if (!range || scaled) return code;
    let c = code;
    if (Number.isFinite(range.lo)) c = `act_above(${c}, ${f32Literal(range.lo)})`;
    if (Number.isFinite(range.hi)) c = `act_below(${c}, ${f32Literal(range.hi)})`;
    return c;
  };
  const special = (bits: string, value: number | undefined) =>
    value === undefined
      ? []
      : [
          `  if (bitcast<u32>(x) == ${bits}) { let r = ${bitsLiteral(value)}; return bitcast<f32>(r)${times}; }`,
        ];
  const lines = [
    scaled ? `fn ${name}(x: f32, m: f32) -> f32 {` : `fn ${name}(x: f32) -> f32 {`,
    '  if (act_is_nan(x)) { return x; }',
    `  if (bitcast<u32>(x) == 0x7f800000u) { let r = ${bitsLiteral(specials.positive)}; return bitcast<f32>(r)${times}; }`,
    `  if (bitcast<u32>(x) == 0xff800000u) { let r = ${bitsLiteral(specials.negative)}; return bitcast<f32>(r)${times}; }`,
    // ±0 from the reference: WGSL arithmetic may ignore the sign of a zero
    ...special('0x00000000u', specials.zero),
    ...special('0x80000000u', specials.negativeZero),
    ...statements,
    // r.x + r.y would turn r.x = -0 into +0 (-0 + +0 is +0)
    df
      ? `  let r = ${result};\n  return ${clamped('select(r.x + r.y, r.x, r.y == 0.0f)')};`
      : `  return ${clamped(result)};`,
    '}',
  ];
  return { name, code: lines.join('\n'), helpers, dfHelpers, precision, scaled };
}

/** Ops whose value is never negative (for a float32 kernel's own evaluation too). */
const NONNEGATIVE = new Set(['exp', 'sigmoid', 'softplus', 'erfc', 'sqrt', 'abs']);

/**
 * When `e` is a product of constants, the input x (once), the backward factor m (once) and factors
 * that are never negative: which of x and m carry its sign and whether the constants negate it.
 */
function signCarrier(e: Expr): { x: boolean; m: boolean; negate: boolean } | undefined {
  if (e.kind !== 'binary' || e.op !== 'mul') return undefined;
  let x = 0;
  let m = 0;
  let negate = false;
  for (const f of factorsOf(e)) {
    if (f.kind === 'input') x++;
    else if (f.kind === 'param' && f.name === SCALE) m++;
    else if (f.kind === 'const') negate = negate !== f.value < 0;
    else if (f.kind === 'unary' && NONNEGATIVE.has(f.op)) continue;
    else if (tanhSoftplusArg(f) !== undefined) continue;
    else return undefined;
  }
  if (x > 1 || m > 1) return undefined;
  return { x: x === 1, m: m === 1, negate };
}

/** An expression node that is an operation (not a constant, the input or a parameter). */
type Operation = Exclude<Expr, { kind: 'const' | 'input' | 'param' }>;

/**
 * A polynomial in Horner form, `((c0·u + c1)·u + c2)·u + …`, as its coefficients (highest degree
 * first) and `u`; undefined when `e` is not such a chain of at least `min` coefficients. Subtracting
 * a constant counts as adding its negation.
 */
export function hornerChain(
  e: Expr,
  min = 4,
  ids = new StructuralIds(),
): { u: Expr; coefficients: number[] } | undefined {
  const coefficients: number[] = [];
  let u: Expr | undefined;
  let node = e;
  const exprKey = (n: Expr) => ids.id(n);
  for (;;) {
    if (node.kind === 'const') {
      coefficients.push(node.value);
      break;
    }
    if (node.kind !== 'binary') return undefined;
    let product: Expr;
    if ((node.op === 'add' || node.op === 'sub') && node.right.kind === 'const') {
      coefficients.push(node.op === 'add' ? node.right.value : -node.right.value);
      product = node.left;
    } else if (node.op === 'add' && node.left.kind === 'const') {
      coefficients.push(node.left.value);
      product = node.right;
    } else if (node.op === 'mul') {
      coefficients.push(0);
      product = node;
    } else return undefined;
    const key = u && exprKey(u);
    if (product.kind !== 'binary' || product.op !== 'mul') {
      // the leading coefficient 1: (u + c1)·u + …
      if (key === undefined || exprKey(product) !== key) return undefined;
      coefficients.push(1);
      break;
    }
    const [inner, factor] =
      u === undefined || exprKey(product.right) === key
        ? [product.left, product.right]
        : [product.right, product.left];
    if (u === undefined) u = factor;
    else if (exprKey(factor) !== key) return undefined;
    node = inner;
  }
  if (
    u === undefined ||
    coefficients.length < min ||
    !coefficients.every((c) => Number.isFinite(Math.fround(c)))
  )
    return undefined;
  return { u, coefficients: coefficients.reverse() };
}

/** The op whose WGSL `toWGSL` writes: f(x), f′(x), or ∂f/∂p for a named parameter. */
export type WgslOp = 'forward' | 'derivative' | { readonly param: string };

/** WGSL built-in functions and keywords an activation id could collide with. */
const RESERVED = new Set(
  (
    'abs acos acosh asin asinh atan atanh atan2 ceil clamp cos cosh degrees distance dot exp exp2 floor fma fract ' +
    'length log log2 max min mix normalize pow radians round saturate select sign sin sinh smoothstep sqrt step ' +
    'tan tanh trunc all any bitcast fn let var const loop return if else for while switch true false'
  ).split(' '),
);

/** A WGSL identifier from an activation id: `leaky-relu` → `leaky_relu`, `tanh` → `tanh_activation`. */
export function wgslName(id: string, op: WgslOp = 'forward'): string {
  const cleaned = id.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9_])/, 'a');
  const base = RESERVED.has(cleaned) ? `${cleaned}_activation` : cleaned;
  if (op === 'forward') return base;
  return op === 'derivative' ? `${base}_derivative` : `${base}_d_${op.param}`;
}

/** The expression and reference of an elementwise op. */
export function opExpression(
  act: Activation,
  op: WgslOp,
): { expression: Expr; reference: (x: number) => number } {
  checkActivation(act, 'toWGSL');
  if (act.kind !== 'elementwise') {
    throw new UnsupportedOperationError(
      `'${act.id}' is ${act.kind === 'vector' ? 'a vector activation' : 'a loss'}: WGSL functions are written for elementwise activations only.`,
    );
  }
  const isOp =
    op === 'forward' ||
    op === 'derivative' ||
    (typeof op === 'object' && op !== null && typeof op.param === 'string');
  if (!isOp)
    throw new BadInputError(
      `op is 'forward', 'derivative' or { param: name }, got ${describeValue(op)}.`,
    );
  if (op === 'forward') return { expression: act.kernels.forward, reference: act.forward };
  if (op === 'derivative') return { expression: act.kernels.derivative, reference: act.derivative };
  return {
    expression: act.paramDerivativeExpression(op.param),
    reference: (v) => act.paramDerivative(op.param, v),
  };
}

/** The function for one op of an activation, with its ±∞ values from the float64 reference. */
export function activationFunction(
  act: Activation,
  op: WgslOp = 'forward',
  name = wgslName(act.id, op),
  precision: Precision = 'f32',
  scaled = false,
): WgslFunction {
  const { expression, reference } = opExpression(act, op);
  return emitFunction(
    expression,
    name,
    {
      positive: reference(Number.POSITIVE_INFINITY),
      negative: reference(Number.NEGATIVE_INFINITY),
      zero: reference(0),
      negativeZero: reference(-0),
    },
    precision,
    scaled,
    act.kind === 'elementwise' && (op === 'forward' || op === 'derivative')
      ? opRange(act, op)
      : undefined,
  );
}

/**
 * Self-contained WGSL source for an activation (forward by default): the `act_` helpers it needs,
 * then `fn <id>(x: f32) -> f32`, to paste into your own shaders. Numerically the same code the
 * webgpu backend runs: stable forms, no WGSL exp/log/tanh builtins, NaN and ±∞ handled from bits.
 *
 * @example toWGSL(registry.activation('gelu'))               // fn gelu(x: f32) -> f32 { … }
 * @example toWGSL(registry.activation('elu'), 'derivative')  // fn elu_derivative(x: f32) -> f32
 */
export function toWGSL(
  act: Activation,
  op: WgslOp = 'forward',
  options: { precision?: Precision } = {},
): string {
  const fn = activationFunction(act, op, wgslName(act.id, op), options.precision ?? 'f32');
  const header = `// ${act.id}${Object.keys(act.params).length ? ` ${JSON.stringify(act.params)}` : ''}: ${op === 'forward' ? 'f(x)' : op === 'derivative' ? "f'(x)" : `df/d${op.param}`} — generated by @activations/webgpu`;
  return [header, librarySource(fn), '', fn.code, ''].join('\n');
}
