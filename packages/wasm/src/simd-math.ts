/**
 * SIMD arithmetic and math functions for one lane type (f32x4 or f64x2), emitted as WebAssembly
 * instructions. Every value lives in a v128 local; constants are set once before the loop.
 *
 * Accuracy (each in its own lane type, for its documented domain; see coefficients.ts for the fits):
 * exp and expm1: Cody–Waite reduction by ln 2 and e^r = 1 + r·q(r) with q fitted to (e^r - 1)/r
 * (f32: degree 5, fit error 1e-8; f64: degree 8, 1e-13), 2^k built from two exponent factors so overflow gives ∞ and
 * underflow is gradual — except on f32 lanes when interval evaluation bounds the argument by 87:
 * one factor, and exp flushes results below float32's normal range to 0. log/log1p: exponent split at √2/2 and atanh series (f32 degree 4, f64 5),
 * with the rounding error of 1 + u corrected. tanh: via expm1(-2|x|). erf/erfc (f64 only):
 * exp(-z²)·g(2/(2+z)), fit error 6e-13, erfc flushed to 0 beyond z = 11 (< 1.5e-54). sin/cos (f64
 * only): three-part π/2 reduction for |x| ≤ 1e5, the host's Math.sin/cos beyond.
 */
import { FunctionBuilder, Simd, uleb, V128 } from './binary.js';
import {
  COS_F64,
  ERF_SMALL_F64,
  ERFC_F32,
  ERFC_F64,
  EXPM1_F32,
  EXPM1_F64,
  LN2_F32_PARTS,
  LN2_F64_PARTS,
  LOG_F32,
  LOG1P_NEAR_F32,
  PHI_TAIL_CENTERS_F32,
  PHI_TAIL_EDGES_F32,
  PHI_TAIL_HALF_WIDTHS_F32,
  PHI_TAIL_F32,
  LOG_F64,
  PIO2_PARTS,
  SIN_F64,
} from '@activations/core/coefficients';

/** Above this argument e^a - 1 rounds to e^a in the lane type (e^a > 2^(p+1)). */
const EXPM1_LARGE = { f32: 18, f64: 38 } as const;
/** EXPM1_F32 less its leading r: e^r - 1 = r + r·(EXPM1_REST_F32 in r). */
const EXPM1_REST_F32 = [...EXPM1_F32.slice(0, -1), EXPM1_F32.at(-1)! - 1];

/** The lane type a kernel computes in. */
export type Lanes = 'f32' | 'f64';

type FloatOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'min'
  | 'max'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge';
type FloatUnary = 'abs' | 'neg' | 'sqrt' | 'nearest';
type PseudoMinMax = 'pmin' | 'pmax';

const OPS: Record<Lanes, Record<FloatOp | FloatUnary | PseudoMinMax, number>> = {
  f32: {
    add: 0xe4,
    sub: 0xe5,
    mul: 0xe6,
    div: 0xe7,
    min: 0xe8,
    max: 0xe9,
    pmin: 0xea,
    pmax: 0xeb,
    eq: 0x41,
    ne: 0x42,
    lt: 0x43,
    gt: 0x44,
    le: 0x45,
    ge: 0x46,
    abs: 0xe0,
    neg: 0xe1,
    sqrt: 0xe3,
    nearest: 0x6a,
  },
  f64: {
    add: 0xf0,
    sub: 0xf1,
    mul: 0xf2,
    div: 0xf3,
    min: 0xf4,
    max: 0xf5,
    pmin: 0xf6,
    pmax: 0xf7,
    eq: 0x47,
    ne: 0x48,
    lt: 0x49,
    gt: 0x4a,
    le: 0x4b,
    ge: 0x4c,
    abs: 0xec,
    neg: 0xed,
    sqrt: 0xef,
    nearest: 0x94,
  },
};

/** Scalar host functions a kernel may call (imported as env.sin / env.cos). */
export type HostFunction = 'sin' | 'cos';

/** A v128 value, held in a local. */
export type Value = number;

/** Shuffle bytes that move lanes 2, 3 (bytes 8–15) into lanes 0, 1. */
export const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Shuffle bytes joining the low halves of two vectors: [a0, a1, b0, b1]. */
const JOIN_LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** Bounds of a function's argument, from interval evaluation (to skip clamps it never needs). */
export interface ArgumentRange {
  readonly lo: number;
  readonly hi: number;
}

/** 1.5·2^23 + 127: k + 127 lands in the low mantissa bits of a·log2 e + this (see #reduceMagic). */
const MAGIC_BIAS = 12_582_912 + 127;

/**
 * -126·ln 2 (rounded to float32, just below it): e^a is float32's smallest normal number there,
 * so flushing e^a to 0 below it loses only denormal results; k = round(a·log2 e) ≥ -126 above.
 */
const EXP_FLOOR = Math.fround(-126 * Math.LN2);

/** σ(a) = 1 in float32 for a ≥ 18 (e^-18 < 2^-25). */
const SIGMOID_ONE = 18;
/** tanh(softplus(a)) = 1 in float32 for a ≥ 10 (1 - 2/(n + 2) with n > 4.8e8). */
const TANH_SOFTPLUS_ONE = 10;
/** Φ(-a)'s scale offset: 2^(k+8) stays a normal float (or 0) for a ≤ 13.7. */
const PHI_TAIL_SHIFT = 8;
/** σ's scale offset m: T = 2^(m-k) and P = 2^m·e^r (see SimdEmitter.sigmoid). */
const SIGMOID_SHIFT = 8;
/** Below this a, k = round(-a·log2 e) would exceed 127 + m = 135 and T's exponent field wrap. */
const SIGMOID_FLOOR = -93.85;
/** 2^m·q(-s) for the expm1 fit q(r) (highest degree first): odd powers change sign. */
const SIGMOID_POLYNOMIAL = EXPM1_F32.map(
  (c, i) => ((EXPM1_F32.length - 1 - i) % 2 === 1 ? -c : c) * 2 ** SIGMOID_SHIFT,
);

const WHOLE_LINE: ArgumentRange = { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY };

function splatBytes(lanes: Lanes, value: number): Uint8Array {
  const array = lanes === 'f32' ? new Float32Array(4).fill(value) : new Float64Array(2).fill(value);
  return new Uint8Array(array.buffer);
}

function intBytes(lanes: Lanes, value: number): Uint8Array {
  const array =
    lanes === 'f32' ? new Int32Array(4).fill(value) : new BigInt64Array(2).fill(BigInt(value));
  return new Uint8Array(array.buffer);
}

/**
 * Emits SIMD code into a function body. `prologue` receives constant set-up (run once); `code` is
 * the loop body.
 */
export class SimdEmitter {
  readonly lanes: Lanes;
  readonly hostCalls = new Set<HostFunction>();
  readonly #fb: FunctionBuilder;
  readonly #prologue: number[];
  readonly #constants = new Map<string, Value>();
  /** Index of each host function in the module's imports. */
  readonly #hostIndex: Record<HostFunction, number>;
  readonly #outline: Outliner | undefined;

  /**
   * With an `outline`, the large math functions (exp, expm1, log1p, tanh, erf, erfc, sin, cos, σ,
   * tanh∘softplus) become calls to one helper function each instead of being inlined at every use:
   * for huge expressions, whose inlined kernels V8 takes seconds to compile.
   */
  constructor(
    fb: FunctionBuilder,
    lanes: Lanes,
    prologue: number[],
    hostIndex: Record<HostFunction, number>,
    outline?: Outliner,
  ) {
    this.#fb = fb;
    this.lanes = lanes;
    this.#prologue = prologue;
    this.#hostIndex = hostIndex;
    this.#outline = outline;
  }

  /** The value of `body(a)` from an outlined helper, or undefined when this emitter inlines. */
  #outlined(
    key: string,
    a: Value,
    body: (em: SimdEmitter, arg: Value) => Value,
  ): Value | undefined {
    if (!this.#outline) return undefined;
    const index = this.#outline.helper(`${this.lanes}:${key}`, this.lanes, body);
    this.#fb.get(a).emit(0x10, ...uleb(index)); // call
    return this.#result();
  }

  /** A new v128 local holding whatever is on the stack. */
  #result(): Value {
    const local = this.#fb.local(V128);
    this.#fb.set(local);
    return local;
  }

  #constant(key: string, bytes: Uint8Array): Value {
    let local = this.#constants.get(key);
    if (local === undefined) {
      local = this.#fb.local(V128);
      const saved = this.#fb.code.splice(0);
      this.#fb.v128(bytes).set(local);
      this.#prologue.push(...this.#fb.code.splice(0));
      this.#fb.code.push(...saved);
      this.#constants.set(key, local);
    }
    return local;
  }

  /** A constant splat across the lanes. */
  const(value: number): Value {
    return this.#constant(
      `${this.lanes}:${Object.is(value, -0) ? '-0' : value}`,
      splatBytes(this.lanes, value),
    );
  }

  /** An integer constant splat (i32x4 for f32 lanes, i64x2 for f64 lanes). */
  intConst(value: number): Value {
    return this.#constant(`int:${value}`, intBytes(this.lanes, value));
  }

  /** A raw 128-bit constant. */
  bits(key: string, bytes: Uint8Array): Value {
    return this.#constant(`bits:${key}`, bytes);
  }

  /**
   * max(a, c) / min(a, c) for a constant c that is not NaN: pmax(a, c) = a < c ? c : a is one
   * instruction (IEEE max is several on x86) and still lets a NaN in `a` through.
   */
  clampBy(op: 'min' | 'max', a: Value, c: Value): Value {
    this.#fb
      .get(a)
      .get(c)
      .simd(OPS[this.lanes][op === 'min' ? 'pmin' : 'pmax']);
    return this.#result();
  }

  /**
   * max(a, +0) as the reference computes it (Math.max(-0, 0) is +0): pmax keeps a = -0, and
   * adding +0 turns -0 into +0 without touching any other value (NaN stays NaN).
   */
  maxZero(a: Value): Value {
    return this.op('add', this.clampBy('max', a, this.const(0)), this.const(0));
  }

  op(op: FloatOp, a: Value, b: Value): Value {
    this.#fb.get(a).get(b).simd(OPS[this.lanes][op]);
    return this.#result();
  }

  unary(op: FloatUnary, a: Value): Value {
    this.#fb.get(a).simd(OPS[this.lanes][op]);
    return this.#result();
  }

  /**
   * f32 lanes: the mask of lanes where some |v| of `values` is below `limit` (a positive normal
   * float), from one signed-integer min over the bit patterns: magnitudes order as their bits do,
   * and a NaN's bits are above every finite value's, so a NaN in one vector cannot hide a small
   * value in another (a float min would). `nonNegative`: the values are ≥ +0 or NaN already
   * (clamped), so the sign bit need not be cleared (a -0 or -NaN reads as small: flagged, harmless).
   */
  anyBelow(values: readonly Value[], limit: number, nonNegative: boolean): Value {
    if (this.lanes !== 'f32') throw new Error('anyBelow: f32 lanes only');
    const bits = values.map((v) =>
      nonNegative ? v : this.bitwise('and', v, this.intConst(0x7fffffff)),
    );
    const least = bits.reduce((a, b) => {
      this.#fb.get(a).get(b).simd(Simd.i32x4MinS);
      return this.#result();
    });
    const word = new Int32Array(new Float32Array([limit]).buffer)[0]!;
    this.#fb.get(least).get(this.intConst(word)).simd(Simd.i32x4LtS);
    return this.#result();
  }

  /** Lane-wise `mask ? a : b`. */
  select(mask: Value, a: Value, b: Value): Value {
    this.#fb.get(a).get(b).get(mask).simd(Simd.bitselect);
    return this.#result();
  }

  bitwise(op: 'and' | 'or' | 'xor' | 'andnot', a: Value, b: Value): Value {
    this.#fb.get(a).get(b).simd(Simd[op]);
    return this.#result();
  }

  /** Integer lanes (i32x4 / i64x2) add or sub. */
  int(op: 'add' | 'sub', a: Value, b: Value): Value {
    const code =
      this.lanes === 'f32'
        ? op === 'add'
          ? Simd.i32x4Add
          : Simd.i32x4Sub
        : op === 'add'
          ? Simd.i64x2Add
          : Simd.i64x2Sub;
    this.#fb.get(a).get(b).simd(code);
    return this.#result();
  }

  /** Integer lanes shifted left or right (arithmetic) by a constant. */
  shift(op: 'shl' | 'shr', a: Value, by: number): Value {
    const code =
      this.lanes === 'f32'
        ? op === 'shl'
          ? Simd.i32x4Shl
          : Simd.i32x4ShrS
        : op === 'shl'
          ? Simd.i64x2Shl
          : Simd.i64x2ShrS;
    this.#fb.get(a).i32(by).simd(code);
    return this.#result();
  }

  /** Float lanes holding integers → integer lanes (truncating, saturating). */
  toInt(a: Value): Value {
    this.#fb.get(a);
    if (this.lanes === 'f32') this.#fb.simd(Simd.i32x4TruncSatF32x4S);
    else this.#fb.simd(Simd.i32x4TruncSatF64x2SZero).simd(Simd.i64x2ExtendLowI32x4S);
    return this.#result();
  }

  /** Integer lanes → float lanes. */
  toFloat(a: Value): Value {
    this.#fb.get(a);
    if (this.lanes === 'f32') this.#fb.simd(0xfa);
    else
      this.#fb
        .get(a)
        .simd(Simd.shuffle, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11)
        .simd(0xfe);
    return this.#result();
  }

  /** Four float32 lanes as two f64x2 values: lanes 0, 1 and lanes 2, 3, each promoted. */
  promoteHalves(v: Value): [Value, Value] {
    this.#fb.get(v).simd(Simd.f64x2PromoteLowF32x4);
    const lo = this.#result();
    this.#fb
      .get(v)
      .get(v)
      .simd(Simd.shuffle, ...HIGH_HALF)
      .simd(Simd.f64x2PromoteLowF32x4);
    return [lo, this.#result()];
  }

  /** A four-lane 32-bit mask as two 64-bit masks matching `promoteHalves`. */
  widenMaskHalves(mask: Value): [Value, Value] {
    this.#fb.get(mask).simd(Simd.i64x2ExtendLowI32x4S);
    const lo = this.#result();
    this.#fb
      .get(mask)
      .get(mask)
      .simd(Simd.shuffle, ...HIGH_HALF)
      .simd(Simd.i64x2ExtendLowI32x4S);
    return [lo, this.#result()];
  }

  /** Two f64x2 values demoted (one rounding each) and joined into four float32 lanes. */
  demoteJoin(lo: Value, hi: Value): Value {
    this.#fb.get(lo).simd(Simd.f32x4DemoteF64x2Zero).get(hi).simd(Simd.f32x4DemoteF64x2Zero);
    this.#fb.simd(Simd.shuffle, ...JOIN_LOW_HALVES);
    return this.#result();
  }

  /** Horner evaluation of coefficients (highest degree first) at u. */
  horner(coefficients: readonly number[], u: Value): Value {
    let acc = this.const(coefficients[0]!);
    for (const c of coefficients.slice(1))
      acc = this.op('add', this.op('mul', acc, u), this.const(c));
    return acc;
  }

  get #mantissaBits(): number {
    return this.lanes === 'f32' ? 23 : 52;
  }

  get #bias(): number {
    return this.lanes === 'f32' ? 127 : 1023;
  }

  /** 2^k for integer lanes k, as the product of two factors so any |k| ≤ 2·(bias - 2) works. */
  #twoToThe(k: Value): [Value, Value] {
    const k1 = this.shift('shr', k, 1);
    const k2 = this.int('sub', k, k1);
    const bias = this.intConst(this.#bias);
    return [
      this.shift('shl', this.int('add', k1, bias), this.#mantissaBits),
      this.shift('shl', this.int('add', k2, bias), this.#mantissaBits),
    ];
  }

  /**
   * x² as three floats A + B + C that add up to it exactly: x = hi + lo with hi the top 12
   * significant bits, A = hi², B = 2·hi·lo, C = lo² (each exact in float32).
   */
  #squareParts(x: Value): [Value, Value, Value] {
    const hi = this.bitwise(
      'and',
      x,
      this.bits('hi12', new Uint8Array(new Int32Array(4).fill(0xfffff000 | 0).buffer)),
    );
    const lo = this.op('sub', x, hi);
    const a = this.op('mul', hi, hi);
    const b = this.op('mul', this.op('mul', hi, lo), this.const(2));
    const c = this.op('mul', lo, lo);
    return [a, b, c];
  }

  /**
   * k·x² for a power of two k as hi + lo: the exact square's parts scaled (exactly) and summed
   * with Fast2Sum, so the argument of e^(k·x²) carries no rounding of the square.
   */
  #scaledSquare(x: Value, k: number): { hi: Value; lo: Value } {
    const [a, b, c] = this.#squareParts(x);
    const s = this.op('mul', a, this.const(k));
    const t = this.op('mul', this.op('add', b, c), this.const(k));
    const hi = this.op('add', s, t);
    return { hi, lo: this.op('add', this.op('sub', s, hi), t) };
  }

  /**
   * e^(k·x²) for f32 lanes and a power of two k, without the rounding of x² (which would cost
   * |k|x² ULP): the argument is carried as hi + lo (Fast2Sum) into the exponential's reduction.
   */
  expScaledSquare(x: Value, k: number): Value {
    // |k|·x² ≤ 1024 at the bound: every part finite, and the Fast2Sum's lo (≤ an ULP of hi) small,
    // so r + lo stays in the polynomial's range; beyond, e^(k·x²) is 0 or ∞ either way (the
    // reduction clamps hi at ±150)
    const edge = Math.min(2 ** 60, 2 ** Math.ceil(Math.log2(Math.sqrt(256 / Math.abs(k)))));
    const bounded = this.clampBy('min', this.unary('abs', x), this.const(edge));
    const { hi, lo } = this.#scaledSquare(bounded, k);
    const range =
      k < 0 ? { lo: Number.NEGATIVE_INFINITY, hi: 0 } : { lo: 0, hi: Number.POSITIVE_INFINITY };
    const { k: n, r } = this.#reduce(hi, range);
    const p = this.#expReduced(this.op('add', r, lo));
    const [s1, s2] = this.#twoToThe(this.toInt(n));
    return this.op('mul', this.op('mul', p, s1), s2);
  }

  /**
   * erfc(c·x) for f32 lanes when c² = q is a power of two (c = ±1/√2, the normal CDF's, takes
   * the more accurate gaussianTail instead):
   * exp(-q·x²)·g(2/(2+|c·x|)) with the square carried exactly; 0 beyond |c·x| = 10.5 (< 1e-49).
   */
  erfcScaled(x: Value, c: number, q: number): Value {
    const z = this.op('mul', x, this.const(c));
    const az = this.unary('abs', z);
    const t = this.op('div', this.const(2), this.op('add', this.const(2), az));
    const tail = this.op('mul', this.expScaledSquare(x, -q), this.horner(ERFC_F32, t));
    const flushed = this.bitwise('andnot', tail, this.op('gt', az, this.const(10.5)));
    return this.select(
      this.op('lt', z, this.const(0)),
      this.op('sub', this.const(2), flushed),
      flushed,
    );
  }

  /**
   * Cody–Waite: a = k ln2 + r, |r| ≤ ln2/2, with a clamped so the scale factors stay representable
   * (only on the sides the argument's range can reach: `range` from interval evaluation).
   */
  #reduce(a: Value, range: ArgumentRange): { k: Value; r: Value } {
    const limit = this.lanes === 'f32' ? 150 : 1400;
    let clamped = a;
    if (range.hi > limit) clamped = this.clampBy('min', clamped, this.const(limit));
    if (range.lo < -limit) clamped = this.clampBy('max', clamped, this.const(-limit));
    // + 0: k = -0 would make r = a - k·ln2 lose the sign of a = -0 (expm1(-0) is -0)
    const k = this.op(
      'add',
      this.unary('nearest', this.op('mul', clamped, this.const(Math.LOG2E))),
      this.const(0),
    );
    const [hi, lo] = this.lanes === 'f32' ? LN2_F32_PARTS : LN2_F64_PARTS;
    const r = this.op(
      'sub',
      this.op('sub', clamped, this.op('mul', k, this.const(hi!))),
      this.op('mul', k, this.const(lo!)),
    );
    return { k, r };
  }

  /** e^r = 1 + r·q(r) on the reduced range: exactly 1 at r = 0 (so e^0 = 1, as softmax needs). */
  #expReduced(r: Value): Value {
    return this.op(
      'add',
      this.const(1),
      this.op('mul', r, this.horner(this.lanes === 'f32' ? EXPM1_F32 : EXPM1_F64, r)),
    );
  }

  /**
   * Φ(-a) for a = |x| on f32 lanes — or a·Φ(-a) with `timesA` (GELU's tail: x·Φ(x) = max(x, 0) -
   * a·Φ(-a)) — GELU within 2.7 ULP (16M random inputs). x is clamped to ±13.7 (beyond, the result is 0: a·Φ(-a) is
   * a float32 denormal from a = 13.15). Φ(-a) = e^(-a²/2)·R(a): the square carried exactly as
   * hi + lo, e^(-a²/2) = 2^(k+8)·(1 + t) with t = e^r - 1, and R from four polynomials in an
   * exact v = (a - c)/h (PHI_TAIL_F32), each lane's coefficients picked by i8x16.swizzle from a
   * four-entry table. W = 2^-8·R·(1 + t) is formed as c0 + ((c0' + v·P(v)) + R·t) with
   * c0 + c0' the constant term in two floats, so one rounding dominates. a·2^(k+8) is exact
   * and comes first: every intermediate is normal where the result is (a·W would not be, for
   * tiny a).
   */
  gaussianTail(x: Value, timesA: boolean): Value {
    if (this.lanes !== 'f32') throw new Error('gaussianTail is emitted for f32 lanes only');
    const bound = PHI_TAIL_EDGES_F32.at(-1)!;
    const clamped = this.clampBy(
      'max',
      this.clampBy('min', x, this.const(bound)),
      this.const(-bound),
    );
    const a = this.unary('abs', clamped);
    // -a²/2 = hi + lo exactly enough (Fast2Sum of the exact square's parts)
    const { hi, lo } = this.#scaledSquare(a, -0.5);
    // k ≥ -135 for a ≤ 13.7: the scale's exponent field 127 + 8 + k ≥ 0 (0 gives a 0 result)
    const { r: r0, biased } = this.#reduceMagic(hi, {
      floor: Number.NEGATIVE_INFINITY,
      range: { lo: -(bound ** 2) / 2, hi: 0 },
      offset: PHI_TAIL_SHIFT,
    });
    const r = this.op('add', r0, lo);
    const expm1 = this.op('mul', r, this.horner(EXPM1_F32, r));
    // each lane's interval j ∈ 0..3 as byte indices 4b + j into the transposed tables
    let index = this.bits('phi-index', new Uint8Array(new Int32Array(4).fill(0x0c080400).buffer));
    for (const edge of PHI_TAIL_EDGES_F32.slice(1, -1)) {
      this.#fb
        .get(index)
        .get(this.op('ge', a, this.const(edge)))
        .simd(Simd.i8x16Sub);
      index = this.#result();
    }
    const pick = (key: string, entries: readonly number[]) =>
      this.#lookup(`phi-${key}`, entries, index);
    // v = (a - c)·(1/h) is exact: h is a power of two and a - c exact (c/2 ≤ a ≤ 2c)
    const v = this.op(
      'mul',
      this.op('sub', a, pick('center', PHI_TAIL_CENTERS_F32)),
      pick(
        'scale',
        PHI_TAIL_HALF_WIDTHS_F32.map((h) => 1 / h),
      ),
    );
    const scaled = PHI_TAIL_F32.map((coefficients) =>
      coefficients.map((c) => c * 2 ** -PHI_TAIL_SHIFT),
    );
    const degree = scaled[0]!.length - 1;
    let p = pick(
      'c0',
      scaled.map((c) => c[0]!),
    );
    for (let i = 1; i < degree; i++)
      p = this.op(
        'add',
        this.op('mul', p, v),
        pick(
          `c${i}`,
          scaled.map((c) => c[i]!),
        ),
      );
    const constHi = scaled.map((c) => Math.fround(c[degree]!));
    const constLo = scaled.map((c, j) => c[degree]! - constHi[j]!);
    const head = pick('hi', constHi);
    const inner = this.op('add', pick('lo', constLo), this.op('mul', p, v));
    const rough = this.op('add', head, inner);
    const w = this.op('add', head, this.op('add', inner, this.op('mul', rough, expm1)));
    const scale = this.#magicScale(biased);
    return this.op('mul', timesA ? this.op('mul', a, scale) : scale, w);
  }

  /** Per lane, entry j of a four-entry float32 table, for byte indices 4b + j in `index`. */
  #lookup(key: string, entries: readonly number[], index: Value): Value {
    const bytes = new Uint8Array(new Float32Array(entries).buffer);
    const transposed = new Uint8Array(16);
    for (let j = 0; j < 4; j++)
      for (let b = 0; b < 4; b++) transposed[4 * b + j] = bytes[4 * j + b]!;
    this.#fb.get(this.bits(key, transposed)).get(index).simd(Simd.swizzle);
    return this.#result();
  }

  /**
   * Cody–Waite reduction for one scale factor on f32 lanes: a is clamped to [floor, ceiling] (only
   * on the sides `range` reaches), k = round(±a·log2 e) and r = ±a - k·ln 2 (returned negated,
   * as a + k·ln 2, when `negate`, so e^-a = 2^k·e^(-s)). k is rounded by the "magic bias" trick:
   * adding 1.5·2^23 + 127 + `offset` leaves k + 127 + offset in the low mantissa bits (rounded to
   * nearest), so shifting the bits left by 23 is 2^(k + offset) — no float→int conversion
   * (several instructions on x86) — and k = sum - bias exactly. Callers keep k + 127 + offset in
   * [0, 255] with the clamps.
   */
  #reduceMagic(
    a: Value,
    clamp: {
      floor: number;
      ceiling?: number;
      range: ArgumentRange;
      offset?: number;
      negate?: boolean;
      /** r = a - k·fl(ln 2) in one step (see expm1: enough where the result is near -1). */
      oneStep?: boolean;
    },
  ): { r: Value; biased: Value } {
    const { floor, ceiling = Number.POSITIVE_INFINITY, range, offset = 0, negate = false } = clamp;
    let clamped = a;
    if (range.hi > ceiling) clamped = this.clampBy('min', clamped, this.const(ceiling));
    if (range.lo < floor) clamped = this.clampBy('max', clamped, this.const(floor));
    const bias = this.const(MAGIC_BIAS + offset);
    const log2e = this.const(negate ? -Math.LOG2E : Math.LOG2E);
    const biased = this.op('add', this.op('mul', clamped, log2e), bias);
    const k = this.op('sub', biased, bias);
    const step = negate ? 'add' : 'sub';
    if (clamp.oneStep)
      return { r: this.op(step, clamped, this.op('mul', k, this.const(Math.LN2))), biased };
    const [hi, lo] = LN2_F32_PARTS;
    const partial = this.op(step, clamped, this.op('mul', k, this.const(hi!)));
    return { r: this.op(step, partial, this.op('mul', k, this.const(lo!))), biased };
  }

  /** 2^(k + offset) from #reduceMagic's biased sum. */
  #magicScale(biased: Value): Value {
    return this.shift('shl', biased, 23);
  }

  /** e^a. */
  exp(a: Value, range: ArgumentRange = WHOLE_LINE): Value {
    const outlined = this.#outlined(`exp:${range.lo},${range.hi}`, a, (em, v) => em.exp(v, range));
    if (outlined !== undefined) return outlined;
    if (this.lanes === 'f32' && range.hi <= 87) {
      // one scale factor; results below float32's normal range flush to 0 (|error| < 1.2e-38; the
      // accuracy probe patches any kernel where a flushed value would matter)
      const floor = EXP_FLOOR;
      const { r, biased } = this.#reduceMagic(a, { floor, range });
      const value = this.op('mul', this.#expReduced(r), this.#magicScale(biased));
      return range.lo < floor
        ? this.bitwise('andnot', value, this.op('lt', a, this.const(floor)))
        : value;
    }
    const { k, r } = this.#reduce(a, range);
    const p = this.#expReduced(r);
    const [s1, s2] = this.#twoToThe(this.toInt(k));
    return this.op('mul', this.op('mul', p, s1), s2);
  }

  /**
   * σ(a) = 1/(1 + e^-a) on f32 lanes, or n·σ(a) with a `numerator` n (for x·σ(c·x), n = x). With
   * e^-a = 2^k·p (k = round(-a·log2 e), p = e^r), σ = T/(T + P) where T = 2^(m-k) and P = 2^m·p,
   * m = 8: both stay normal floats for k ∈ [-26, 135], so σ — and n·σ = n·T/(T + P), whose
   * results are normal down to a ≈ -91.6 where σ itself is already a denormal — needs neither a
   * select nor a flush mask nor a second scale factor. a is clamped to [-93.85, 18]: above 18, σ
   * rounds to 1; below, k > 135 and σ < 2e-41. T comes from the magic-bias bits (an integer
   * subtraction and a shift); 2^m is folded into the polynomial's coefficients. The numerator
   * must have a's sign and be large where a is (n·T ≤ n·2^34 could overflow otherwise).
   */
  sigmoid(a: Value, range: ArgumentRange = WHOLE_LINE, numerator?: Value): Value {
    if (this.lanes !== 'f32')
      throw new Error('sigmoid is emitted for f32 lanes only (f64 lanes expand it)');
    if (numerator === undefined) {
      const outlined = this.#outlined(`sigmoid:${range.lo},${range.hi}`, a, (em, v) =>
        em.sigmoid(v, range),
      );
      if (outlined !== undefined) return outlined;
    }
    // k = round(-a·log2 e); s = a + k·ln2 = -r exactly (Cody–Waite)
    const { r: s, biased } = this.#reduceMagic(a, {
      floor: SIGMOID_FLOOR,
      ceiling: SIGMOID_ONE,
      range,
      negate: true,
    });
    // P = 2^m·e^r = 2^m - s·2^m·q(-s); T = 2^(m-k): exponent field 127 + m - k = (254 + m) - (k + 127)
    const scaledP = this.op(
      'sub',
      this.const(2 ** SIGMOID_SHIFT),
      this.op('mul', s, this.horner(SIGMOID_POLYNOMIAL, s)),
    );
    const t = this.shift('shl', this.int('sub', this.intConst(254 + SIGMOID_SHIFT), biased), 23);
    const denominator = this.op('add', t, scaledP);
    if (numerator === undefined) return this.op('div', t, denominator);
    // n·T overflows only where σ = 1 and n > 2^94: |n·σ| ≤ |n| puts n back there
    const product = this.op('div', this.op('mul', numerator, t), denominator);
    return this.clampBy('min', product, this.unary('abs', numerator));
  }

  /**
   * tanh(softplus(a)) = n/(n + 2) with n = e^a(e^a + 2) on f32 lanes, or n·tanh(softplus(a)) with a
   * `numerator` (mish: n = a = x). Carried scaled by 2^m (m = 8, as σ): u = 2^m·e^a from the
   * magic-bias bits, N = u² + 2^(m+1)·u = 2^2m·n, and N/(N + 2^(2m+1)); results stay normal down
   * to a ≈ -91.6 where e^a is already a denormal, and a clamped at -93.85 gives u = 0 exactly (0
   * out). a is clamped at 10 above, where the ratio rounds to 1. With a numerator: (n·N)/(N + 2^17),
   * then min(·, |n|), as in sigmoid: n·N overflows only where the ratio is 1.
   */
  tanhSoftplus(a: Value, range: ArgumentRange = WHOLE_LINE, numerator?: Value): Value {
    if (this.lanes !== 'f32') throw new Error('tanhSoftplus is emitted for f32 lanes only');
    if (numerator === undefined) {
      const outlined = this.#outlined(`tanhSoftplus:${range.lo},${range.hi}`, a, (em, v) =>
        em.tanhSoftplus(v, range),
      );
      if (outlined !== undefined) return outlined;
    }
    // exponent field k + 127 + m: 2^m·2^k, and 0 (u = 0) at the clamp's k = -135
    const { r, biased } = this.#reduceMagic(a, {
      floor: SIGMOID_FLOOR,
      ceiling: TANH_SOFTPLUS_ONE,
      range,
      offset: SIGMOID_SHIFT,
    });
    // u = S(1 + t) with S = 2^(m+k) and t = e^r - 1; N = 2^(m+1)·S + (2^(m+1)·S·t + u²), so
    // that where u is small the leading term is exact and the rest carries the roundings
    const scale = this.#magicScale(biased);
    // t = r + r·h(r): the leading r exact, h's roundings scaled by |h| ≤ 0.18 (r·q(r) rounded
    // its last Horner step relative to 1: 1.4 ULP of t where this is 0.8)
    const t = this.op('add', r, this.op('mul', r, this.horner(EXPM1_REST_F32, r)));
    const st = this.op('mul', scale, t);
    const u = this.op('add', scale, st);
    const twice = this.const(2 ** (SIGMOID_SHIFT + 1));
    const rest = this.op('add', this.op('mul', st, twice), this.op('mul', u, u));
    const n = this.op('add', this.op('mul', scale, twice), rest);
    const c = this.const(2 ** (2 * SIGMOID_SHIFT + 1));
    const denominator = this.op('add', n, c);
    // N + 2^17 rounds by up to 1 ULP relative where N is small (a value just above a power of
    // two): its error e = N - (D - 2^17) is exact (Fast2Sum, 2^17 ≥ N where it matters), and
    // q - q·e/D is the ratio over the exact sum, to first order. Mish's worst error was 3.2 ULP
    // (exhaustive run), 2.8 with these two (a 1/7 sample of |x| in [2^-10, 32) in emulation)
    // (e/D from e times 1/D to 12%: the integer trick 0x7ef311c3 - bits(D), no second division;
    // the correction, at most half an ULP, is then off by at most 0.06 ULP)
    const reciprocal = this.int('sub', this.intConst(0x7ef311c3), denominator);
    const shift = this.op('mul', this.op('sub', n, this.op('sub', denominator, c)), reciprocal);
    if (numerator === undefined) {
      const q = this.op('div', n, denominator);
      return this.op('sub', q, this.op('mul', q, shift));
    }
    const q = this.op('div', this.op('mul', numerator, n), denominator);
    // q = +∞ where n·N overflowed (the ratio is 1 there): the correction of FLT_MAX is finite and
    // leaves ∞; -0 (at a = -0) keeps its sign (-0 - (-0) would be +0)
    const corrected = this.op(
      'sub',
      q,
      this.op('mul', this.clampBy('min', q, this.const(3.4028234663852886e38)), shift),
    );
    const signed = this.bitwise('or', corrected, this.bitwise('and', q, this.const(-0)));
    return this.clampBy('min', signed, this.unary('abs', numerator));
  }

  /** e^a - 1 = 2^k (e^r - 1) + (2^k - 1), with e^r - 1 = r·q(r) accurate relative to itself. */
  expm1(a: Value, range: ArgumentRange = WHOLE_LINE): Value {
    const outlined = this.#outlined(`expm1:${range.lo},${range.hi}`, a, (em, v) =>
      em.expm1(v, range),
    );
    if (outlined !== undefined) return outlined;
    if (this.lanes === 'f32' && range.hi <= 87) {
      // clamping at -126·ln 2 is exact: expm1 is -1 in float32 below -17.3. For a ≤ 0 one
      // Cody–Waite step does: k ∈ [-26, 0], a - k·fl(ln 2) is exact (Sterbenz), and the errors
      // of k·fl(ln 2) (≤ 2^-24·|k|, scaled by 2^k) stay under 0.3 ULP of |e^a - 1| ≥ 0.29
      const { r, biased } = this.#reduceMagic(a, {
        floor: EXP_FLOOR,
        range,
        oneStep: range.hi <= 0,
      });
      const scale = this.#magicScale(biased);
      const em1 = this.op('mul', r, this.horner(EXPM1_F32, r));
      // s·em1 - (1 - s), not s·em1 + (s - 1): the same value, but expm1(-0) stays -0
      return this.op('sub', this.op('mul', scale, em1), this.op('sub', this.const(1), scale));
    }
    const { k, r } = this.#reduce(a, range);
    const em1 = this.op('mul', r, this.horner(this.lanes === 'f32' ? EXPM1_F32 : EXPM1_F64, r));
    const [s1, s2] = this.#twoToThe(this.toInt(k));
    const scale = this.op('mul', s1, s2);
    const near = this.op('sub', this.op('mul', scale, em1), this.op('sub', this.const(1), scale));
    if (range.hi <= EXPM1_LARGE[this.lanes]) return near;
    // far right e^a - 1 = e^a: (1 + e^r - 1)·s1·s2 as exp does, so an overflowing 2^k·(e^r - 1) with
    // e^r < 1 cannot meet the +∞ of 2^k - 1 (∞ - ∞ gave NaN where the value is ∞)
    const far = this.op('mul', this.op('mul', this.op('add', em1, this.const(1)), s1), s2);
    return this.select(this.op('gt', a, this.const(EXPM1_LARGE[this.lanes])), far, near);
  }

  /** ln(1 + u) (or ln m when `direct`: then u is m itself). */
  log1p(u: Value, direct = false): Value {
    const outlined = this.#outlined(`log1p:${direct}`, u, (em, v) => em.log1p(v, direct));
    if (outlined !== undefined) return outlined;
    const one = this.const(1);
    const m = direct ? u : this.op('add', one, u);
    // denormal m: scale into the normal range first
    const minNormal = this.const(
      this.lanes === 'f32' ? 1.1754943508222875e-38 : 2.2250738585072014e-308,
    );
    const tiny = this.op('lt', m, minNormal);
    const upscale = this.lanes === 'f32' ? 2 ** 24 : 2 ** 54;
    const mm = this.select(tiny, this.op('mul', m, this.const(upscale)), m);
    const sqrtHalfBits = this.lanes === 'f32' ? 0x3f3504f3 : 0x3fe6a09e667f3bcdn;
    const offset = this.bits(
      `sqrt-half-${this.lanes}`,
      new Uint8Array(
        (this.lanes === 'f32'
          ? new Int32Array(4).fill(sqrtHalfBits as number)
          : new BigInt64Array(2).fill(sqrtHalfBits as bigint)
        ).buffer,
      ),
    );
    const exponent = this.shift('shr', this.int('sub', mm, offset), this.#mantissaBits);
    const f = this.int('sub', mm, this.shift('shl', exponent, this.#mantissaBits));
    const kf0 = this.toFloat(exponent);
    const kf = this.select(
      tiny,
      this.op('sub', kf0, this.const(this.lanes === 'f32' ? 24 : 54)),
      kf0,
    );
    const s = this.op('div', this.op('sub', f, one), this.op('add', f, one));
    const z = this.op('mul', s, s);
    const series = this.op(
      'mul',
      this.op('mul', this.const(2), s),
      this.horner(this.lanes === 'f32' ? LOG_F32 : LOG_F64, z),
    );
    const [hi, lo] = this.lanes === 'f32' ? LN2_F32_PARTS : LN2_F64_PARTS;
    let tail = this.op('mul', kf, this.const(lo!));
    if (!direct) {
      // the rounding error of m = 1 + u, relative to m
      tail = this.op('add', tail, this.op('div', this.op('sub', u, this.op('sub', m, one)), m));
    }
    const result = this.op(
      'add',
      this.op('mul', kf, this.const(hi!)),
      this.op('add', series, tail),
    );
    // specials: ln 0 = -∞, ln ∞ = ∞, ln(negative or NaN) = NaN
    const inf = this.const(Number.POSITIVE_INFINITY);
    const atZero = this.select(
      this.op('eq', m, this.const(0)),
      this.const(Number.NEGATIVE_INFINITY),
      result,
    );
    const atInf = this.select(this.op('eq', m, inf), inf, atZero);
    return this.select(this.op('ge', m, this.const(0)), atInf, this.const(Number.NaN));
  }

  /**
   * ln(1 + u) for u known to lie in [-1/2, 1] (f32 lanes): 2·atanh(s) with s = u/(2 + u), so
   * |s| ≤ 1/3 and neither 1 + u nor an exponent split is formed — fewer operations, and s carries
   * only two roundings (softplus's log1p(e^-|x|) lands here): within 1.5 ULP of ln(1 + u).
   */
  log1pNear(u: Value): Value {
    const s = this.op('div', u, this.op('add', this.const(2), u));
    const w = this.op('mul', s, s);
    const twice = this.op('add', s, s);
    // 2s + 2s·w·Q(w): the leading term exact, the rest (≤ 4% of it) carries the other roundings
    return this.op(
      'add',
      twice,
      this.op('mul', twice, this.op('mul', w, this.horner(LOG1P_NEAR_F32, w))),
    );
  }

  /** tanh a = -t / (t + 2) with t = expm1(-2|a|), sign restored. */
  tanh(a: Value): Value {
    const outlined = this.#outlined('tanh', a, (em, v) => em.tanh(v));
    if (outlined !== undefined) return outlined;
    const t = this.expm1(this.op('mul', this.const(-2), this.unary('abs', a)), {
      lo: Number.NEGATIVE_INFINITY,
      hi: 0,
    });
    // 0 - t, not -t: tanh(+0) is +0 (t = expm1(-0) = -0 would make the magnitude -0)
    const magnitude = this.op(
      'div',
      this.op('sub', this.const(0), t),
      this.op('add', t, this.const(2)),
    );
    return this.bitwise('or', magnitude, this.bitwise('and', a, this.const(-0)));
  }

  /** sign a: -1, 0 (keeping ±0) or 1; NaN for NaN. */
  sign(a: Value): Value {
    const zero = this.const(0);
    return this.select(
      this.op('gt', a, zero),
      this.const(1),
      this.select(this.op('lt', a, zero), this.const(-1), a),
    );
  }

  #requireF64(what: string): void {
    if (this.lanes !== 'f64') throw new Error(`${what} is only emitted for f64 lanes`);
  }

  /** erfc for z ≥ 0: exp(-z²)·g(2/(2+z)), and 0 beyond 11. */
  #erfcPositive(z: Value): Value {
    const t = this.op('div', this.const(2), this.op('add', this.const(2), z));
    const g = this.horner(ERFC_F64, t);
    const value = this.op(
      'mul',
      this.exp(this.unary('neg', this.op('mul', z, z)), { lo: Number.NEGATIVE_INFINITY, hi: 0 }),
      g,
    );
    return this.select(this.op('gt', z, this.const(11)), this.const(0), value);
  }

  /** erfc a (f64 lanes). */
  erfc(a: Value): Value {
    this.#requireF64('erfc');
    const outlined = this.#outlined('erfc', a, (em, v) => em.erfc(v));
    if (outlined !== undefined) return outlined;
    const tail = this.#erfcPositive(this.unary('abs', a));
    return this.select(this.op('lt', a, this.const(0)), this.op('sub', this.const(2), tail), tail);
  }

  /** erf a (f64 lanes): a·p(a²) for |a| ≤ 0.5, ±(1 - erfc|a|) beyond. */
  erf(a: Value): Value {
    this.#requireF64('erf');
    const outlined = this.#outlined('erf', a, (em, v) => em.erf(v));
    if (outlined !== undefined) return outlined;
    const abs = this.unary('abs', a);
    const small = this.op('mul', a, this.horner(ERF_SMALL_F64, this.op('mul', a, a)));
    const large = this.op('sub', this.const(1), this.#erfcPositive(abs));
    const signed = this.bitwise('or', large, this.bitwise('and', a, this.const(-0)));
    return this.select(this.op('le', abs, this.const(0.5)), small, signed);
  }

  /** sin or cos (f64 lanes): quadrant from k = nearest(2a/π), lanes with |a| > 1e5 call the host. */
  trig(kind: HostFunction, a: Value): Value {
    this.#requireF64(kind);
    const outlined = this.#outlined(kind, a, (em, v) => em.trig(kind, v));
    if (outlined !== undefined) {
      this.hostCalls.add(kind);
      return outlined;
    }
    // + 0 turns k = -0 into +0, so r = a - k·part keeps the sign of a = -0 (sin(-0) = -0)
    const k = this.op(
      'add',
      this.unary('nearest', this.op('mul', a, this.const(2 / Math.PI))),
      this.const(0),
    );
    let r = a;
    for (const part of PIO2_PARTS) r = this.op('sub', r, this.op('mul', k, this.const(part)));
    const z = this.op('mul', r, r);
    const sinR = this.op('mul', r, this.horner(SIN_F64, z));
    const cosR = this.horner(COS_F64, z);
    // quadrant q = k mod 4 (cos shifts it by one): q&1 picks cos, q&2 flips the sign
    const q = this.int('add', this.toInt(k), this.intConst(kind === 'cos' ? 1 : 0));
    const one = this.intConst(1);
    const two = this.intConst(2);
    const useCos = this.#intEq(this.bitwise('and', q, one), one);
    const negate = this.#intEq(this.bitwise('and', q, two), two);
    const base = this.select(useCos, cosR, sinR);
    let result = this.select(negate, this.unary('neg', base), base);
    result = this.#hostFallback(kind, a, result, 1e5);
    return result;
  }

  #intEq(a: Value, b: Value): Value {
    // i64x2.eq (0xd6) for f64 lanes
    this.#fb
      .get(a)
      .get(b)
      .simd(this.lanes === 'f32' ? 0x37 : 0xd6);
    return this.#result();
  }

  /** Lanes with |a| > limit (∞ included) take the host function's value (f64.abs, f64.gt, if). */
  #hostFallback(kind: HostFunction, a: Value, result: Value, limit: number): Value {
    this.hostCalls.add(kind);
    const fb = this.#fb;
    const limitBytes = new Uint8Array(new Float64Array([limit]).buffer);
    for (const lane of [0, 1]) {
      fb.get(a)
        .simd(Simd.f64x2ExtractLane, lane)
        .emit(0x99, 0x44, ...limitBytes, 0x64, 0x04, 0x40);
      fb.get(result).get(a).simd(Simd.f64x2ExtractLane, lane).emit(0x10, this.#hostIndex[kind]);
      fb.simd(Simd.f64x2ReplaceLane, lane).set(result).emit(0x0b);
    }
    return result;
  }
}

/**
 * Helper functions of one module, made on demand: `helper(key, …)` returns the function index of
 * a (v128) → v128 function computing `body` on its parameter, built once per key.
 */
export class Outliner {
  readonly #first: number;
  readonly #hostIndex: Record<HostFunction, number>;
  readonly #indices = new Map<string, number>();
  readonly functions: Array<{ name: string; builder: FunctionBuilder }> = [];

  /** `first`: the index the first helper gets (after the imports and the kernel). */
  constructor(first: number, hostIndex: Record<HostFunction, number>) {
    this.#first = first;
    this.#hostIndex = hostIndex;
  }

  helper(key: string, lanes: Lanes, body: (em: SimdEmitter, arg: Value) => Value): number {
    let index = this.#indices.get(key);
    if (index === undefined) {
      const fb = new FunctionBuilder([V128]);
      const prologue: number[] = [];
      const em = new SimdEmitter(fb, lanes, prologue, this.#hostIndex);
      const result = body(em, 0);
      const code = fb.code.splice(0);
      fb.append(prologue).append(code).get(result);
      index = this.#first + this.functions.length;
      this.functions.push({ name: `helper${this.functions.length}`, builder: fb });
      this.#indices.set(key, index);
    }
    return index;
  }
}
