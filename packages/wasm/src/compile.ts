/**
 * Expression → WebAssembly kernel module. A kernel walks n float32 values (n a multiple of 4)
 * four at a time: f32x4 lanes compute directly; f64x2 lanes promote each half, compute in float64
 * and round once when demoting. Library functions are expanded to their portable stable forms.
 */
import type { Condition, Enclosure, Expr, UnaryOp } from '@activations/core';
import {
  encloser,
  float32Shape,
  inputThreshold,
  isNormalCdfScale,
  exactSquareOf,
  expandLibrary,
  expandSigmoid,
  expandSoftplus,
  nodesOf,
  StructuralIds,
  scaledInput,
  TRANSCENDENTAL_OPS,
  transcendentalCount,
  scaledSquare,
  simplify,
} from '@activations/core/backend';

const WHOLE: Enclosure = { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY, nan: false };
import {
  encodeModule,
  FunctionBuilder,
  type FunctionImport,
  F64,
  I32,
  type MemoryImport,
  Op,
  Simd,
  uleb,
  V128,
  type ValueType,
} from './binary.js';
import { type HostFunction, type Lanes, Outliner, SimdEmitter, type Value } from './simd-math.js';

/** `map`: out = f(x). `backward`: out = dy · f(x). */
export type KernelShape = 'map' | 'backward';

/** Ops that only the f64 lanes implement. */
const F64_ONLY = new Set(['erf', 'erfc', 'sin', 'cos']);

/** The expression as kernels compute it: library functions expanded, simplified. */
export function kernelExpression(e: Expr, keep?: ReadonlySet<UnaryOp>): Expr {
  return simplify(expandLibrary(e, 'portable', keep));
}

/**
 * Library functions f32 lanes emit with their own code: σ in one division with no select, and
 * tanh(softplus(a)) as n/(n + 2), n = e^a(e^a + 2) (mish); softplus elsewhere is expanded.
 */
const F32_LIBRARY: ReadonlySet<UnaryOp> = new Set(['sigmoid', 'softplus']);

function opsUsed(e: Expr | Condition): Set<string> {
  const ops = new Set<string>();
  for (const node of nodesOf(e)) if (node.kind === 'unary') ops.add(node.op);
  return ops;
}

/** Above this many transcendental uses, math functions are outlined into helper functions. */
const OUTLINE_ABOVE = 12;

/** Does the kernel evaluate a transcendental function (so it is bound by arithmetic, not memory)? */
export function computeBound(e: Expr): boolean {
  return [...opsUsed(e)].some((op) => TRANSCENDENTAL_OPS.has(op));
}

/** Does the expression use a function that only f64 lanes have (erfc of c·x excepted)? */
function needsF64(e: Expr | Condition): boolean {
  return nodesOf(e).some(
    (node) =>
      node.kind === 'unary' &&
      F64_ONLY.has(node.op) &&
      !(node.op === 'erfc' && scaledInput(node.arg) !== undefined),
  );
}

/** Lanes the expression can use at all: f64 when it needs a function only f64 lanes have. */
export function minimumLanes(e: Expr): Lanes {
  return needsF64(kernelExpression(e)) ? 'f64' : 'f32';
}

/**
 * The input's range where a select's branch is taken, for a condition comparing the input with a
 * constant (elu's `x > 0 ? x : expm1(x)`: expm1 sees x ≤ 0 and needs no overflow handling).
 * Lanes where the branch is not taken may compute anything: the select discards them.
 */
function branchDomains(cond: Condition, domain: Enclosure): [Enclosure, Enclosure] {
  let { op, left, right } = cond;
  if (left.kind === 'const' && right.kind === 'input') {
    [left, right] = [right, left];
    op = ({ lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' } as const)[op];
  }
  if (left.kind !== 'input' || right.kind !== 'const' || Number.isNaN(right.value))
    return [domain, domain];
  const c = right.value;
  const below: Enclosure = { ...domain, hi: Math.min(domain.hi, c) };
  const above: Enclosure = { ...domain, lo: Math.max(domain.lo, c) };
  const narrowed: [Enclosure, Enclosure] | undefined =
    op === 'gt' || op === 'ge'
      ? [above, below]
      : op === 'lt' || op === 'le'
        ? [below, above]
        : undefined;
  // a branch that is never taken keeps the outer domain (its code runs but is discarded)
  return narrowed
    ? (narrowed.map((d) => (d.lo <= d.hi ? d : domain)) as [Enclosure, Enclosure])
    : [domain, domain];
}

const isZero = (e: Expr) => e.kind === 'const' && Object.is(e.value, 0);

function emitExpression(em: SimdEmitter, root: Expr, x: Value): Value {
  // values by (domain, expression); a value computed for the whole line serves every domain
  const memo = new Map<string, Value>();
  const ids = new StructuralIds();
  const keyOf = (e: Expr, domain: Enclosure) => `${domain.lo},${domain.hi}:${ids.id(e)}`;
  // enclosures by domain, each remembering the nodes it has seen (one walk per domain, not per node)
  const enclosers = new Map<string, (e: Expr) => Enclosure>();
  const enclose = (e: Expr, domain: Enclosure): Enclosure => {
    const key = `${domain.lo},${domain.hi},${domain.nan}`;
    let f = enclosers.get(key);
    if (!f) {
      f = encloser(domain);
      enclosers.set(key, f);
    }
    return f(e);
  };
  const emit = (e: Expr, domain: Enclosure): Value => {
    if (e.kind === 'input') return x;
    if (e.kind === 'const') return em.const(e.value);
    const known = memo.get(keyOf(e, domain)) ?? memo.get(keyOf(e, WHOLE));
    if (known !== undefined) return known;
    const value = emitNode(e, domain);
    memo.set(keyOf(e, domain), value);
    return value;
  };
  const emitCondition = (c: Condition, domain: Enclosure): Value => {
    // c·x + d against k as x against a float32 threshold (the reference decides in float64)
    const t = em.lanes === 'f32' ? inputThreshold(c.op, c.left, c.right) : undefined;
    if (t) return em.op(t.op, x, em.const(t.threshold));
    return em.op(c.op, emit(c.left, domain), emit(c.right, domain));
  };
  const emitNode = (e: Expr, domain: Enclosure): Value => {
    switch (e.kind) {
      case 'const':
      case 'input':
        return emit(e, domain);
      case 'param':
        throw new Error(
          `parameter '${e.name}' is unbound; create the activation with its parameters first`,
        );
      case 'unary': {
        // -|y| is y with the sign bit set: one instruction instead of two
        if (e.op === 'neg' && e.arg.kind === 'unary' && e.arg.op === 'abs')
          return em.bitwise('or', emit(e.arg.arg, domain), em.const(-0));
        if (e.op === 'sigmoid' && em.lanes === 'f64') return emit(expandSigmoid(e.arg), domain);
        if (e.op === 'softplus') return emit(expandSoftplus(e.arg), domain);
        // sqrt(b² + c) = |b| where c is below |b|'s last bit: b² never overflows on the way
        const root = em.lanes === 'f32' ? float32Shape(e) : undefined;
        if (root?.shape === 'sqrt-square-plus') {
          const edge = 2 ** Math.ceil(Math.log2(4096 * Math.sqrt(root.c)));
          if (edge <= 2 ** 62) {
            const b = em.unary('abs', emit(root.base, domain));
            const inner = em.unary('sqrt', em.op('add', em.op('mul', b, b), em.const(root.c)));
            return em.select(em.op('gt', b, em.const(edge)), b, inner);
          }
        }
        // f32 lanes only: f64 lanes (and f64 patches of hybrid kernels) expand softplus
        if (
          em.lanes === 'f32' &&
          e.op === 'tanh' &&
          e.arg.kind === 'unary' &&
          e.arg.op === 'softplus'
        ) {
          const inner = e.arg.arg;
          return em.tanhSoftplus(emit(inner, domain), enclose(inner, domain));
        }
        const a = emit(e.arg, domain);
        switch (e.op) {
          case 'neg':
          case 'abs':
          case 'sqrt':
            return em.unary(e.op, a);
          case 'sign':
            return em.sign(a);
          case 'exp': {
            const k = em.lanes === 'f32' ? scaledSquare(e.arg) : undefined;
            return k !== undefined ? em.expScaledSquare(x, k) : em.exp(a, enclose(e.arg, domain));
          }
          case 'expm1':
            return em.expm1(a, enclose(e.arg, domain));
          case 'log':
            return em.log1p(a, true);
          case 'log1p': {
            const range = enclose(e.arg, domain);
            return em.lanes === 'f32' && range.lo >= -0.5 && range.hi <= 1
              ? em.log1pNear(a)
              : em.log1p(a);
          }
          case 'tanh':
            return em.tanh(a);
          case 'erf':
            return em.erf(a);
          case 'erfc': {
            const c = scaledInput(e.arg);
            if (em.lanes !== 'f32' || c === undefined) return em.erfc(a);
            if (!isNormalCdfScale(c)) return em.erfcScaled(x, c, exactSquareOf(c)!);
            // erfc(∓x/√2) = 2Φ(±x): 2Φ(-|x|) on one side of 0, 2 - 2Φ(-|x|) on the other
            const tail = em.op('mul', em.gaussianTail(x, false), em.const(2));
            const upper = em.op(c < 0 ? 'ge' : 'lt', x, em.const(0));
            return em.select(upper, em.op('sub', em.const(2), tail), tail);
          }
          case 'sin':
          case 'cos':
            return em.trig(e.op, a);
          case 'sigmoid':
            return em.sigmoid(a, enclose(e.arg, domain));
        }
        break;
      }
      case 'binary': {
        const { op, left, right } = e;
        if (op === 'max' && (isZero(right) || isZero(left)))
          return em.maxZero(emit(isZero(right) ? left : right, domain));
        if (op === 'min' || op === 'max') {
          if (right.kind === 'const' && !Number.isNaN(right.value))
            return em.clampBy(op, emit(left, domain), emit(right, domain));
          if (left.kind === 'const' && !Number.isNaN(left.value))
            return em.clampBy(op, emit(right, domain), emit(left, domain));
        }
        // x·σ(c·x) (SiLU, swish) and x·tanh(softplus(c·x)) (mish): the gate's own division takes
        // the x, which keeps results normal where the gate is already a denormal
        // k·x·erfc(-x/√2) = 2k·x·Φ(x) = 2k·(max(x, 0) - |x|·Φ(-|x|)) (GELU: k = 1/2)
        const shape = em.lanes === 'f32' ? float32Shape(e) : undefined;
        if (shape?.shape === 'x-normal-cdf') {
          const value = em.op('sub', em.clampBy('max', x, em.const(0)), em.gaussianTail(x, true));
          return shape.scale === 1 ? value : em.op('mul', value, em.const(shape.scale));
        }
        if (shape?.shape === 'gated') {
          const gate = shape.gate === 'sigmoid' ? em.sigmoid : em.tanhSoftplus;
          return gate.call(em, emit(shape.arg, domain), enclose(shape.arg, domain), x);
        }
        return em.op(op, emit(left, domain), emit(right, domain));
      }
      case 'powi': {
        let n = Math.abs(e.exponent);
        let base = emit(e.base, domain);
        let result: Value | undefined;
        while (n > 0) {
          if (n & 1) result = result === undefined ? base : em.op('mul', result, base);
          n >>>= 1;
          if (n > 0) base = em.op('mul', base, base);
        }
        const positive = result ?? em.const(1);
        return e.exponent < 0 ? em.op('div', em.const(1), positive) : positive;
      }
      case 'select': {
        const mask = emitCondition(e.cond, domain);
        const [whenTrue, whenFalse] = branchDomains(e.cond, domain);
        // a zero branch is a mask: one and/andnot instead of a three-instruction bitselect
        if (isZero(e.ifTrue)) return em.bitwise('andnot', emit(e.ifFalse, whenFalse), mask);
        if (isZero(e.ifFalse)) return em.bitwise('and', emit(e.ifTrue, whenTrue), mask);
        return em.select(mask, emit(e.ifTrue, whenTrue), emit(e.ifFalse, whenFalse));
      }
    }
  };
  return emit(root, WHOLE);
}

/** A closed interval of float32 results. */
type Bounds = readonly [number, number];
const ANY: Bounds = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/**
 * Bounds the f32-lanes code of `root` (as emitExpression emits it) keeps every result in, by
 * construction: σ's plan is T/(T + P) with T, P > 0, so in [0, 1] after any rounding; tanh and
 * tanh∘softplus are ratios of magnitude ≤ 1; exp is ≥ 0 and expm1 (on x ≤ 87) ≥ -1; rounding is
 * monotone, so sums and products of operands with known signs keep them, and c·g with g in
 * [lo, hi] stays in [fl(c·lo), fl(c·hi)]. What it cannot show is ±∞ (the clamp stays). NaN
 * results pass any clamp unchanged, so they do not matter here.
 */
export function float32ResultBounds(root: Expr): Bounds {
  const enclosers = new Map<string, (e: Expr) => Enclosure>();
  const enclose = (e: Expr, domain: Enclosure): Enclosure => {
    const key = `${domain.lo},${domain.hi},${domain.nan}`;
    let f = enclosers.get(key);
    if (!f) enclosers.set(key, (f = encloser(domain)));
    return f(e);
  };
  const hull = (a: Bounds, b: Bounds): Bounds => [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
  const nonNegative: Bounds = [0, Number.POSITIVE_INFINITY];
  // a walk over the top of the tree only: the depth it descends is bounded (the rest is ANY)
  const walk = (e: Expr, domain: Enclosure, depth: number): Bounds => {
    if (depth > 8) return ANY;
    const next = depth + 1;
    switch (e.kind) {
      case 'const': {
        const c = Math.fround(e.value);
        return Number.isNaN(c) ? ANY : [c, c];
      }
      case 'input':
        return [Math.fround(domain.lo), Math.fround(domain.hi)];
      case 'unary': {
        if (e.op === 'tanh' && e.arg.kind === 'unary' && e.arg.op === 'softplus') return [0, 1];
        switch (e.op) {
          case 'sigmoid':
          case 'tanh':
            return e.op === 'sigmoid' ? [0, 1] : [-1, 1];
          case 'exp':
          case 'abs':
          case 'sqrt':
            return nonNegative;
          case 'expm1':
            return enclose(e.arg, domain).hi <= 87 ? [-1, Number.POSITIVE_INFINITY] : ANY;
          case 'softplus':
            return walk(expandSoftplus(e.arg), domain, next);
          case 'log1p': {
            const u = enclose(e.arg, domain);
            return u.lo >= 0 && u.hi <= 1 ? nonNegative : ANY;
          }
          case 'neg': {
            const [lo, hi] = walk(e.arg, domain, next);
            return [-hi, -lo];
          }
          default:
            return ANY;
        }
      }
      case 'binary': {
        const { op, left, right } = e;
        if (float32Shape(e) !== undefined) return ANY; // fused plans: no bound shown here
        const a = walk(left, domain, next);
        const b = walk(right, domain, next);
        switch (op) {
          case 'max':
            return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
          case 'min':
            return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
          case 'add':
            return [
              a[0] >= 0 && b[0] >= 0 ? 0 : Number.NEGATIVE_INFINITY,
              a[1] <= 0 && b[1] <= 0 ? 0 : Number.POSITIVE_INFINITY,
            ];
          case 'mul': {
            const [c, g] = a[0] === a[1] ? [a[0], b] : b[0] === b[1] ? [b[0], a] : [Number.NaN, a];
            if (Number.isFinite(c) && c !== 0) {
              // an f64 product of two float32 values is exact; fround rounds it as f32 does
              const ends = [Math.fround(c * g[0]), Math.fround(c * g[1])];
              return [Math.min(...ends), Math.max(...ends)];
            }
            const sign = (v: Bounds) => (v[0] >= 0 ? 1 : v[1] <= 0 ? -1 : 0);
            const s = sign(a) * sign(b);
            return s > 0 ? nonNegative : s < 0 ? [Number.NEGATIVE_INFINITY, 0] : ANY;
          }
          default:
            return ANY;
        }
      }
      case 'select': {
        const [whenTrue, whenFalse] = branchDomains(e.cond, domain);
        return hull(walk(e.ifTrue, whenTrue, next), walk(e.ifFalse, whenFalse, next));
      }
      default:
        return ANY;
    }
  };
  return walk(root, WHOLE, 0);
}

/**
 * Results below this take the float64 path (see patchesUnderflow): 2^30 above the smallest normal
 * float32, so an intermediate that was a denormal may be scaled up by |x| ≤ 2^30 after it.
 */
const TINY_RESULT = 2 ** -96;

/**
 * The f32 plans that reach small results through an exponential's underflow: e^a (and through it
 * softplus and tanh∘softplus), σ's and erfc's tails flush or round on the denormal grid where the
 * true value is small, and dy may scale that back into the normal range.
 */
const UNDERFLOWING: ReadonlySet<string> = new Set(['exp', 'sigmoid', 'softplus', 'erfc']);

/**
 * Do the kernel's small f32 results take the float64 path (see TINY_RESULT)? When the expression
 * has a function whose float32 plan underflows (UNDERFLOWING). The others are small only where
 * their argument is, and there their plans are the argument times a factor near 1 (expm1 = r·(1 +
 * r/2 + …), tanh = -t/(t + 2), log1p(u) = 2s(1 + …), erf = a·p(a²), sin and cos from float64),
 * so a small x comes out as accurate as it went in; arithmetic and selects underflow gradually by
 * IEEE rules (an error of at most a few 2^-149), and their exact zeros (relu′ for x < 0) need no
 * second look. ELU, CELU, SELU and tanh keep their loops free of the test (10% faster); the
 * exhaustive verifier checks their small results like every other.
 */
export function patchesUnderflow(e: Expr): boolean {
  return nodesOf(e).some((n) => n.kind === 'unary' && UNDERFLOWING.has(n.op));
}

/**
 * Vectors per loop iteration: independent copies give the CPU parallel work and amortise the loop
 * overhead, until their values no longer fit the 16 SIMD registers and spill. Measured on this
 * project's kernels (x64, V8 11.3, AMD EPYC): f32 bodies up to ~320 bytes of wasm per vector (σ)
 * run fastest with 8 copies (7% over 6), up to ~500 bytes with 6 (σ was 1.3× over 4; SiLU's 338
 * bytes: 8 copies 3% slower than 6), GELU's ~900 with 2 (6 copies: 2.2× slower); f64 lanes with 2.
 * (The size counts the f32 code only: a hybrid kernel's float64 path is a separate function.)
 */
function unrollFor(lanes: Lanes, bodyBytes: number): number {
  if (lanes === 'f64') return 2;
  return bodyBytes <= 320 ? 8 : bodyBytes <= 500 ? 6 : bodyBytes <= 800 ? 4 : 2;
}

/** A compiled kernel module and what it imports. */
export interface KernelModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly lanes: Lanes;
  readonly patches: Patches;
  readonly hostFunctions: readonly HostFunction[];
}

/** A closed range [lo, hi] (±∞ allowed) kernel results are clamped into. */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

/** Input intervals [lo, hi] where an f32 kernel hands its lanes to f64 arithmetic. */
export type Patches = ReadonlyArray<readonly [number, number]>;

/**
 * Compiles `e` into a module exporting `kernel(x, [dy,] out, n)` over float32 arrays at byte
 * offsets x, dy, out of the imported memory; n (elements) must be a multiple of 4. `out` may be
 * `x` or `dy` (in place) but must not overlap them otherwise. With `patches` (f32 lanes only),
 * lanes whose x falls in a patch are computed with f64 lanes instead.
 */
export function compileKernel(
  e: Expr,
  shape: KernelShape,
  lanes: Lanes,
  patches: Patches = [],
  memory: MemoryImport = { shared: false },
  range?: Range,
): KernelModule {
  // f (before dy) clamped into the declared range: the true value is in it, rounding can step out
  const expression = kernelExpression(e, lanes === 'f32' ? F32_LIBRARY : undefined);
  // f32 lanes: a side the kernel's own plan already keeps needs no clamp (σ in [0, 1])
  const [keptLo, keptHi] = lanes === 'f32' ? float32ResultBounds(expression) : ANY;
  const clamp = (e: SimdEmitter, v: Value): Value => {
    if (!range) return v;
    let c = v;
    const f32 = e.lanes === 'f32';
    if (Number.isFinite(range.lo) && !(f32 && keptLo >= range.lo))
      c = e.clampBy('max', c, e.const(range.lo));
    if (Number.isFinite(range.hi) && !(f32 && keptHi <= range.hi))
      c = e.clampBy('min', c, e.const(range.hi));
    return c;
  };
  const used = opsUsed(expression);
  const hostFunctions = (['sin', 'cos'] as const).filter((f) => used.has(f));
  const hostIndex = { sin: hostFunctions.indexOf('sin'), cos: hostFunctions.indexOf('cos') };
  const params: ValueType[] = shape === 'map' ? [I32, I32, I32] : [I32, I32, I32, I32];
  const fb = new FunctionBuilder(params);
  const [xPtr, dyPtr, outPtr, count] = shape === 'map' ? [0, -1, 1, 2] : [0, 1, 2, 3];
  const offset = fb.local(I32);
  const end = fb.local(I32);
  const prologue: number[] = [];
  // hybrid: lanes inside a patch interval (where f32 arithmetic is not accurate enough), or with
  // a tiny result, are recomputed with f64 lanes by a separate function (`fix`, right after the
  // kernel): its constants and code stay out of the hot loop's registers (inlined, they made
  // sigmoid's loop 1.75× slower though the branch to them is almost never taken)
  const underflow = lanes === 'f32' && patchesUnderflow(expression);
  const hybrid = lanes === 'f32' && (patches.length > 0 || underflow);
  const fixIndex = hostFunctions.length + 1;
  // many transcendental uses: one helper function each instead of inlined copies (the kernel
  // stays small enough for V8 to compile in milliseconds); the zoo's kernels have at most a few
  const outliner =
    transcendentalCount(expression) > OUTLINE_ABOVE
      ? new Outliner(fixIndex + (hybrid ? 1 : 0), hostIndex)
      : undefined;
  const em = new SimdEmitter(fb, lanes, prologue, hostIndex, outliner);

  // f64x2 lanes: promote each half of the four floats, compute, round once when demoting
  const computeF64 = (em64: SimdEmitter, x: Value, dy: Value | undefined): Value => {
    const xs = em64.promoteHalves(x);
    const dys = dy === undefined ? undefined : em64.promoteHalves(dy);
    const [lo, hi] = xs.map((half, i) => {
      const f = clamp(em64, emitExpression(em64, expression, half));
      return dys === undefined ? f : em64.op('mul', dys[i]!, f);
    });
    return em64.demoteJoin(lo!, hi!);
  };

  // the lanes of one vector inside a patch interval (undefined without patches)
  const insidePatches = (e32: SimdEmitter, x: Value): Value | undefined => {
    let mask: Value | undefined;
    for (const [lo, hi] of patches) {
      const inside = e32.bitwise(
        'and',
        e32.op('ge', x, e32.const(lo)),
        e32.op('le', x, e32.const(hi)),
      );
      mask = mask === undefined ? inside : e32.bitwise('or', mask, inside);
    }
    return mask;
  };
  // the lanes of one vector that need f64: inside a patch interval, or a tiny result
  const patchMask = (e32: SimdEmitter, x: Value, f: Value): Value => {
    let mask = insidePatches(e32, x);
    // results below the normal range have too few bits in float32 (and dy may scale them back
    // into it), and results a little above it may come from denormal intermediates (x·σ(x)σ(-x)):
    // those lanes are recomputed in float64, so f and dy·f underflow gradually, rounded once
    if (underflow) {
      const tiny = e32.op('lt', e32.unary('abs', f), e32.const(TINY_RESULT));
      mask = mask === undefined ? tiny : e32.bitwise('or', mask, tiny);
    }
    return mask!;
  };

  // fix(x, [dy,] out) (byte addresses): one vector computed in f32 lanes, its flagged lanes again
  // in f64 lanes, stored. The loop calls it (instead of storing) for a block of vectors with a
  // flagged lane; only addresses cross the call, so no vector value of the hot code is live
  // across it and none is spilled for it
  const fix = hybrid
    ? (() => {
        const ffb = new FunctionBuilder(shape === 'map' ? [I32, I32] : [I32, I32, I32]);
        const fPrologue: number[] = [];
        const e32 = new SimdEmitter(ffb, 'f32', fPrologue, hostIndex, outliner);
        const e64 = new SimdEmitter(ffb, 'f64', fPrologue, hostIndex, outliner);
        const loadAt = (pointer: number): Value => {
          const v = ffb.local(V128);
          ffb.get(pointer).simd(Simd.load, 2, 0).set(v);
          return v;
        };
        const x = loadAt(0);
        const dy = shape === 'map' ? undefined : loadAt(1);
        const f = clamp(e32, emitExpression(e32, expression, x));
        const result = dy === undefined ? f : e32.op('mul', dy, f);
        const mask = patchMask(e32, x, f);
        ffb.get(mask).simd(Simd.anyTrue).emit(0x04, Op.blockTypeEmpty);
        const precise = computeF64(e64, x, dy);
        ffb.get(precise).get(result).get(mask).simd(Simd.bitselect).set(result);
        ffb.emit(Op.end);
        ffb
          .get(shape === 'map' ? 1 : 2)
          .get(result)
          .simd(Simd.store, 2, 0);
        const code = ffb.code.splice(0);
        ffb.append(fPrologue).append(code);
        return { name: 'fix', builder: ffb, results: [] as const };
      })()
    : undefined;

  // One vector (4 floats) at byte `offset + 16 j`: memarg offsets instead of address arithmetic.
  // All copies load first and store last: a store may alias a later load (in place), so a
  // store between them would order every copy after the previous one and leave the CPU one
  // dependency chain at a time.
  const load = (pointer: number, j: number): Value => {
    const v = fb.local(V128);
    fb.get(pointer)
      .get(offset)
      .emit(Op.i32Add)
      .simd(Simd.load, 2, ...uleb(16 * j))
      .set(v);
    return v;
  };
  const store = (results: readonly Value[]) =>
    results.forEach((result, j) => {
      fb.get(outPtr)
        .get(offset)
        .emit(Op.i32Add)
        .get(result)
        .simd(Simd.store, 2, ...uleb(16 * j));
    });
  const bodyOf = (copies: number): number[] => {
    const xs: Value[] = [];
    const dys: Array<Value | undefined> = [];
    for (let j = 0; j < copies; j++) {
      xs.push(load(xPtr, j));
      dys.push(shape === 'backward' ? load(dyPtr, j) : undefined);
    }
    let results: Value[];
    if (lanes !== 'f32') {
      results = xs.map((x, j) => computeF64(em, x, dys[j]));
    } else {
      const fs = xs.map((x) => clamp(em, emitExpression(em, expression, x)));
      results = fs.map((f, j) => (dys[j] === undefined ? f : em.op('mul', dys[j]!, f)));
      if (fix !== undefined) {
        // One any_true over the copies' flags: nearly every block has no flagged lane and stores
        // its results; a block that has one is redone vector by vector by `fix`
        const masks: Value[] = [];
        for (const x of xs) {
          const inside = insidePatches(em, x);
          if (inside !== undefined) masks.push(inside);
        }
        if (underflow) masks.push(em.anyBelow(fs, TINY_RESULT, (range?.lo ?? -1) >= 0));
        const any = masks.reduce((a, b) => em.bitwise('or', a, b));
        fb.get(any).simd(Simd.anyTrue).emit(0x04, Op.blockTypeEmpty);
        const address = (pointer: number, j: number) =>
          fb
            .get(pointer)
            .get(offset)
            .emit(Op.i32Add)
            .i32(16 * j)
            .emit(Op.i32Add);
        for (let j = 0; j < copies; j++) {
          address(xPtr, j);
          if (shape === 'backward') address(dyPtr, j);
          address(outPtr, j);
          fb.emit(Op.call, ...uleb(fixIndex));
        }
        fb.emit(0x05); // else
        store(results);
        fb.emit(Op.end);
        return fb.code.splice(0);
      }
    }
    store(results);
    return fb.code.splice(0);
  };
  const single = bodyOf(1);
  const unroll = outliner ? 1 : unrollFor(lanes, single.length);
  const unrolled = bodyOf(unroll);

  // function: end = n·4 bytes; main loop while offset < end - 16(unroll-1); then one vector at a time
  fb.get(count).i32(2).emit(Op.i32Shl).set(end);
  fb.append(prologue);
  const loop = (limit: () => void, body: number[], step: number) => {
    fb.emit(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
    fb.get(offset);
    limit();
    fb.emit(Op.i32GeS, Op.brIf, 1);
    fb.append(body);
    fb.get(offset).i32(step).emit(Op.i32Add).set(offset);
    fb.emit(Op.br, 0, Op.end, Op.end);
  };
  loop(
    () =>
      fb
        .get(end)
        .i32(16 * (unroll - 1))
        .emit(Op.i32Sub),
    unrolled,
    16 * unroll,
  );
  loop(() => fb.get(end), single, 16);

  const imports: FunctionImport[] = hostFunctions.map((name) => ({
    name,
    params: [F64],
    results: [F64],
  }));
  const helpers = (outliner?.functions ?? []).map((f) => ({ ...f, results: [V128] as const }));
  return {
    bytes: encodeModule(
      imports,
      [{ name: 'kernel', builder: fb, results: [] }, ...(fix ? [fix] : []), ...helpers],
      memory,
    ),
    lanes,
    patches,
    hostFunctions,
  };
}
