/**
 * Float32 math for WGSL, written out in full instead of calling the builtins: WGSL lets `exp`,
 * `log` and `tanh` be several ULP off (exp: 3 + 2|x| ULP), software adapters return NaN from
 * `tanh` beyond |x| ≈ 89, flush denormals to zero, turn `x / c` into `x * (1/c)` and may assume
 * that no value is NaN or ∞. These helpers use only + - * /, sqrt, comparisons, round, select and
 * bit casts — which are correctly rounded where we measured (SwiftShader) — so results match the
 * float32 paths of the wasm backend: Cody–Waite exp/expm1 with fitted polynomials, log from the
 * exponent bits, tanh via expm1, erfc as exp(-z²)·g(2/(2+z)).
 *
 * Every helper is prefixed `act_`; `mathLibrary(used)` returns the ones needed, dependencies first.
 */
import {
  COS_F64,
  ERF_SMALL_F64,
  ERFC_F32,
  EXPM1_F32,
  LN2_F32_PARTS,
  LOG_F32,
  LOG1P_NEAR_F32,
  SIN_F64,
} from '@activations/core/coefficients';

/** A float32 constant as an exact WGSL hexadecimal literal (`0x1.8p+1f`); finite values only. */
export function f32Literal(value: number): string {
  const v = Math.fround(value);
  if (!Number.isFinite(v)) throw new Error(`${value} has no WGSL literal; use a bit pattern`);
  if (v === 0) return Object.is(v, -0) ? '-0.0f' : '0.0f';
  const sign = v < 0 ? '-' : '';
  const bits = new Uint32Array(new Float32Array([Math.abs(v)]).buffer)[0]!;
  const field = bits >>> 23;
  const mantissa = bits & 0x7fffff;
  // normal: 1.m × 2^(e - 127); denormal: 0.m × 2^-126
  const lead = field === 0 ? 0 : 1;
  const exponent = field === 0 ? -126 : field - 127;
  const hex = (mantissa << 1).toString(16).padStart(6, '0').replace(/0+$/, '');
  return `${sign}0x${lead}${hex ? `.${hex}` : ''}p${exponent >= 0 ? '+' : ''}${exponent}f`;
}

/** Horner evaluation (highest degree first) as a WGSL expression in `u`. */
export function hornerWGSL(coefficients: readonly number[], u: string): string {
  let acc = f32Literal(coefficients[0]!);
  for (const c of coefficients.slice(1)) acc = `(${acc} * ${u} + ${f32Literal(c)})`;
  return acc;
}

const [LN2_HI, LN2_LO] = LN2_F32_PARTS.map(f32Literal) as [string, string];

/**
 * The bits of 2/π after one word of zeros: word k (k ≥ 1) holds bits 32(k-1)+1 … 32k of the binary
 * fraction 0.1010 0010 1111 1001… (enough for every float32: the largest needs bits up to 230).
 */
export const TWO_OVER_PI_WORDS: readonly number[] = [
  0, 0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
];
/** π/2 = PIO2_HI + PIO2_LO, PIO2_HI with 12 significant bits so that a 12-bit multiple is exact. */
const PIO2_HI = 1.5703125;
const PIO2_LO = Math.PI / 2 - PIO2_HI;
const LOG2E = f32Literal(Math.LOG2E);

/** The helper functions, by name. */
export type MathHelper =
  | 'bits'
  | 'pow2'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'tanh'
  | 'sign'
  | 'cmp0'
  | 'divc'
  | 'split'
  | 'mad_c'
  | 'exp_mul'
  | 'sqrt_sq_plus'
  | 'erfc'
  | 'erf'
  | 'erfc_scaled'
  | 'exp_scaled_square'
  | 'mul_sigmoid'
  | 'mul_tanh_softplus'
  | 'trig'
  | 'opaque';

interface HelperSource {
  readonly needs: readonly MathHelper[];
  readonly code: string;
}

const HELPERS: Record<MathHelper, HelperSource> = {
  opaque: {
    needs: [],
    code: `// 1.0 the compiler cannot see: some drivers fold arithmetic on literals ((1 + x) - 1 → x) and
// so erase the rounding errors compensated code recovers. Kernels set it from a run-time value at
// the start of their entry point (act_one = bitcast<f32>(0x3f800000u | (arrayLength(&out) >> 30u)));
// left at its initial 1.0 every function still works, only some compensations may be folded away.
var<private> act_one: f32 = 1.0f;`,
  },
  bits: {
    needs: [],
    code: `// ±∞ and NaN from bit patterns (a \`let\` keeps them out of constant evaluation, where they are errors)
fn act_inf() -> f32 { let b = 0x7f800000u; return bitcast<f32>(b); }
fn act_nan() -> f32 { let b = 0x7fc00000u; return bitcast<f32>(b); }
fn act_is_nan(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
fn act_copysign(m: f32, s: f32) -> f32 { return bitcast<f32>((bitcast<u32>(m) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u)); }
// v clamped from below or above with selects: a zero keeps its sign, NaN stays NaN
fn act_above(v: f32, lo: f32) -> f32 { return select(v, lo, v < lo); }
fn act_below(v: f32, hi: f32) -> f32 { return select(v, hi, v > hi); }`,
  },
  cmp0: {
    needs: [],
    code: `// comparisons with zero on the bits: right for denormals even where the device flushes them
fn act_gt0(a: f32) -> bool { return bitcast<u32>(a) - 1u < 0x7f800000u; }
fn act_lt0(a: f32) -> bool { return bitcast<u32>(a) - 0x80000001u < 0x7f800000u; }
fn act_eq0(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) == 0u; }
fn act_ge0(a: f32) -> bool { return act_gt0(a) | act_eq0(a); }
fn act_le0(a: f32) -> bool { return act_lt0(a) | act_eq0(a); }`,
  },
  pow2: {
    needs: [],
    code: `// 2^k for integer k in [-126, 127]
fn act_pow2(k: i32) -> f32 { return bitcast<f32>(u32(k + 127) << 23u); }`,
  },
  exp: {
    needs: ['pow2'],
    code: `// e^(h + l) for |l| ≤ ulp(h): Cody–Waite by ln 2 with l added to the reduced argument,
// e^r = 1 + r·q(r), 2^k as two factors (overflow → ∞, underflow → 0)
// m·e^(h + l) with m applied between the two factors of 2^k: where the product is a normal float,
// every intermediate is too (a device that flushes denormals would lose m·e^-88 as e^-88 → 0)
fn act_exp_hlm(h: f32, l: f32, m: f32) -> f32 {
  // below -200, |m|·e^h < 2^128·2^-288: 0 (of m's sign) for any finite m
  if (h < -200.0f) { return select(0.0f, -0.0f, m < 0.0f); }
  let c = min(h, 88.75f);
  let k = round(c * ${LOG2E});
  let r = ((c - k * ${LN2_HI}) - k * ${LN2_LO}) + select(0.0f, l, c == h);
  let p = 1.0f + r * ${hornerWGSL(EXPM1_F32, 'r')};
  // 2^k (k ≥ -289) as three factors, each within act_pow2's range
  let ki = i32(k);
  let k1 = ki / 3;
  let k2 = (ki - k1) / 2;
  return (((p * act_pow2(k1)) * m) * act_pow2(k2)) * act_pow2(ki - k1 - k2);
}
fn act_exp_hl(h: f32, l: f32) -> f32 { return act_exp_hlm(h, l, 1.0f); }
fn act_exp(a: f32) -> f32 { return act_exp_hl(a, 0.0f); }
fn act_exp_times(a: f32, m: f32) -> f32 { return act_exp_hlm(a, 0.0f, m); }`,
  },
  expm1: {
    needs: ['exp', 'pow2'],
    code: `// e^a - 1 = 2^k·(e^r - 1) + (2^k - 1), with e^r - 1 = r·q(r) accurate relative to itself
fn act_expm1(a: f32) -> f32 {
  if (a > 80.0f) { return act_exp(a); }
  let c = max(a, -87.0f);
  let k = round(c * ${LOG2E});
  let r = (c - k * ${LN2_HI}) - k * ${LN2_LO};
  let em1 = r * ${hornerWGSL(EXPM1_F32, 'r')};
  let s = act_pow2(i32(k));
  return s * em1 + (s - 1.0f);
}`,
  },
  log: {
    needs: ['bits'],
    code: `// ln m from the exponent bits (denormals normalised by integer shifts) and an atanh series
fn act_log(m: f32) -> f32 {
  var b = bitcast<u32>(m);
  if ((b & 0x7fffffffu) == 0u) { return -act_inf(); }
  if (b >= 0x80000000u) { return act_nan(); }
  if (b >= 0x7f800000u) { return m; }
  var e = 0i;
  if (b < 0x00800000u) {
    let shift = countLeadingZeros(b) - 8u;
    b = b << shift;
    e = -i32(shift);
  }
  let k = (i32(b) - 0x3f3504f3i) >> 23u;
  let f = bitcast<f32>(u32(i32(b) - (k << 23u)));
  let kf = f32(k + e);
  let s = (f - 1.0f) / (f + 1.0f);
  let z = s * s;
  return kf * ${LN2_HI} + ((s + s) * ${hornerWGSL(LOG_F32, 'z')} + kf * ${LN2_LO});
}`,
  },
  log1p: {
    needs: ['log', 'opaque'],
    code: `// ln(1 + u): for u in (-1/2, 1) 2s + 2s·w·Q(w) with s = u/(2 + u), w = s²; else ln m with
// the rounding error of m = 1 + u added back
fn act_log1p(u: f32) -> f32 {
  // ln(1 + u) = u(1 - u/2 + …): u itself to 2^-25 relative below 2^-24 (and s = u/(2 + u) would
  // halve a normal u ≈ e^-87 into the denormals a device may flush)
  if (abs(u) < 0x1p-24f) { return u; }
  if (u > -0.5f && u < 1.0f) {
    let s = u / (2.0f + u);
    let w = s * s;
    let t = s + s;
    return t + t * (w * ${hornerWGSL(LOG1P_NEAR_F32, 'w')});
  }
  if (u > 1.0e30f || u <= -1.0f) { return act_log(1.0f + u); }
  let m = act_one + u;
  return act_log(m) + (u - (m - act_one)) / m;
}`,
  },
  tanh: {
    needs: ['expm1', 'bits'],
    code: `// tanh a = -t/(t + 2) with t = expm1(-2|a|): never NaN for large |a|
fn act_tanh(a: f32) -> f32 {
  let t = act_expm1(-2.0f * abs(a));
  return act_copysign(-t / (t + 2.0f), a);
}`,
  },
  sign: {
    needs: ['cmp0'],
    code: `fn act_sign(a: f32) -> f32 { return select(select(a, -1.0f, act_lt0(a)), 1.0f, act_gt0(a)); }`,
  },
  split: {
    needs: [],
    code: `// Dekker: a = hi + lo with 12-bit halves, and the exact error of a product a·b = p + e
fn act_split(a: f32) -> vec2<f32> { let t = 4097.0f * a; let hi = t - (t - a); return vec2<f32>(hi, a - hi); }
fn act_prod_err(a: f32, b: f32, p: f32) -> f32 {
  let sa = act_split(a);
  let sb = act_split(b);
  let e = ((sa.x * sb.x - p) + sa.x * sb.y + sa.y * sb.x) + sa.y * sb.y;
  // garbage where a device flushed a denormal half of a split or a partial product: then none
  return select(0.0f, e, (abs(a) >= 0x1p-100f) & (abs(b) >= 0x1p-100f) & (abs(p) >= 0x1p-100f));
}`,
  },
  exp_mul: {
    needs: ['exp', 'split'],
    code: `// e^(±c·a) or e^(±|c·a|) for a constant c = ch + cl: the product's rounding error is carried into
// the reduction (a rounded argument of size A costs A·2^-24 relative error in the result)
fn act_exp_mul(a: f32, ch: f32, cl: f32, sign: f32, absolute: bool) -> f32 {
  let p = ch * a;
  var hi = p;
  var lo = select(act_prod_err(ch, a, p) + cl * a, 0.0f, abs(p) > 1.0e30f);
  if (absolute && p < 0.0f) { hi = -hi; lo = -lo; }
  return act_exp_hl(sign * hi, sign * lo);
}`,
  },
  mad_c: {
    needs: ['split'],
    code: `// c·a + d for a constant c = ch + cl that float32 cannot hold (1/6, 0.2, 1/3) and a constant d:
// the product's rounding error and cl·a are added after the sum, so c·a + d ≈ 0 keeps its digits
fn act_mad_c(a: f32, ch: f32, cl: f32, d: f32) -> f32 {
  let p = ch * a;
  if (abs(p) > 1.0e30f) { return p + d; } // the split would overflow; nothing cancels here
  return (p + d) + (act_prod_err(ch, a, p) + cl * a);
}`,
  },
  sqrt_sq_plus: {
    needs: ['split'],
    code: `// sqrt(a² + c) for a constant c > 0: a² split into exact parts (no rounding before the sum) and
// scaled by 2^-64 beyond |a| = 2^60 (no overflow)
fn act_sqrt_sq_plus(a: f32, c: f32) -> f32 {
  let aa = abs(a);
  if (aa > 0x1p+60f) { let s = aa * 0x1p-64f; return sqrt(s * s + c * 0x1p-128f) * 0x1p+64f; }
  let hi = bitcast<f32>(bitcast<u32>(aa) & 0xfffff000u);
  let lo = aa - hi;
  let big = hi * hi;
  let sum = big + c;
  let err = (c - (sum - big)) + ((hi * lo) * 2.0f + lo * lo);
  return sqrt(sum + err);
}`,
  },
  divc: {
    needs: ['split'],
    code: `// a / c for a constant c, correctly rounded: compilers may rewrite a / c as a * (1/c), so the
// quotient q = a·(1/c) is corrected by the exact remainder a - q·c
fn act_divc(a: f32, c: f32, r: f32) -> f32 {
  let q = a * r;
  let p = q * c;
  return q + ((a - p) - act_prod_err(q, c, p)) * r;
}`,
  },
  exp_scaled_square: {
    needs: ['exp'],
    code: `// e^(k·x²) for a power of two k without rounding x²: x = hi + lo (12 bits each), x² = A + B + C
// exactly, and the sum carried as hi + lo into the reduction
fn act_exp_scaled_square_times(x: f32, k: f32, m: f32) -> f32 {
  let ax = min(abs(x), 1.0e18f);
  let hi = bitcast<f32>(bitcast<u32>(ax) & 0xfffff000u);
  let lo = ax - hi;
  let s = (hi * hi) * k;
  let t = ((hi * lo) * 2.0f + lo * lo) * k;
  let sh = s + t;
  // lo only matters where sh is in the reduction's range (beyond, |lo| ~ an ULP of a huge sh)
  return act_exp_hlm(sh, clamp((s - sh) + t, -1.0f, 1.0f), m);
}
fn act_exp_scaled_square(x: f32, k: f32) -> f32 { return act_exp_scaled_square_times(x, k, 1.0f); }`,
  },
  mul_sigmoid: {
    needs: ['exp'],
    code: `// m·σ(a) = m/(1 + e^-a) for a ≥ 0, m·e^a/(1 + e^a) below: m scales e^a before it can be a denormal
fn act_mul_sigmoid(m: f32, a: f32) -> f32 {
  if (a >= 0.0f) { return m / (1.0f + act_exp(-a)); }
  return act_exp_times(a, m) / (1.0f + act_exp(a));
}`,
  },
  mul_tanh_softplus: {
    needs: ['exp'],
    code: `// m·tanh(softplus(a)) = m·n/(n + 2), n = e^a(e^a + 2); below 0 as m·e^a·(e^a + 2)/(n + 2), m
// scaling e^a before it can be a denormal; 1 beyond a = 20 (1 - 2e^-2a rounds to 1 from a ≈ 9)
fn act_mul_tanh_softplus(m: f32, a: f32) -> f32 {
  if (a > 20.0f) { return m; }
  let e = act_exp(a);
  let n = e * (e + 2.0f);
  if (a >= 0.0f) { return m * (n / (n + 2.0f)); }
  return act_exp_times(a, m) * ((e + 2.0f) / (n + 2.0f));
}`,
  },
  erfc_scaled: {
    needs: ['exp_scaled_square'],
    code: `// erfc(c·x) when c² = q is a power of two (the normal CDF's ±1/√2): e^(-q·x²)·g(2/(2+|c·x|))
fn act_erfc_scaled(x: f32, c: f32, q: f32) -> f32 {
  let z = x * c;
  let az = abs(z);
  let t = 2.0f / (2.0f + az);
  let tail = select(act_exp_scaled_square(x, -q) * ${hornerWGSL(ERFC_F32, 't')}, 0.0f, az > 10.5f);
  return select(tail, 2.0f - tail, z < 0.0f);
}`,
  },
  erfc: {
    needs: ['exp'],
    code: `// erfc a = e^(-a²)·g(2/(2+|a|)) (a² rounded: error grows like a² ULP; erfc of c·x with c² a
// power of two is emitted as act_erfc_scaled instead)
fn act_erfc(a: f32) -> f32 {
  let az = abs(a);
  let t = 2.0f / (2.0f + az);
  let tail = select(act_exp(-(az * az)) * ${hornerWGSL(ERFC_F32, 't')}, 0.0f, az > 10.5f);
  return select(tail, 2.0f - tail, a < 0.0f);
}`,
  },
  erf: {
    needs: ['erfc'],
    code: `// erf a: a·P(a²) for |a| ≤ 1/2 (no cancellation near 0), ±(1 - erfc |a|) beyond
fn act_erf(a: f32) -> f32 {
  if (abs(a) <= 0.5f) { return a * ${hornerWGSL(ERF_SMALL_F64, '(a * a)')}; }
  return select(1.0f - act_erfc(a), act_erfc(-a) - 1.0f, a < 0.0f);
}`,
  },
  trig: {
    needs: ['bits', 'pow2'],
    code: `// sin and cos: |a| ≤ π/4 directly; beyond, a = (q + f)·π/2 by Payne–Hanek — the low 96 bits of
// the 24-bit mantissa times a 96-bit window of 2/π, in 32-bit integer arithmetic — so the
// reduction is exact for every float32 (sin(1e30) included); then r = f·π/2 and a polynomial
var<private> ACT_TWO_OVER_PI: array<u32, 9> = array<u32, 9>(${TWO_OVER_PI_WORDS.map((w) => `0x${w.toString(16)}u`).join(', ')});
struct ActReduced { r: f32, q: u32 }
// a·b as (low, high) 32-bit words, from 16-bit halves
fn act_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>((ll & 0xffffu) | (mid << 16u), ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u));
}
// |a| = (q + f)·π/2, |f| ≤ 1/2, for the bits b of |a| ≥ π/4 (finite)
fn act_trig_reduce(b: u32) -> ActReduced {
  let m = (b & 0x7fffffu) | 0x800000u;
  let j = (b >> 23u) - 120u; // first bit of 2/π that matters: those before it give multiples of 4
  let w = j >> 5u;
  let sh = j & 31u;
  let t0 = ACT_TWO_OVER_PI[w]; let t1 = ACT_TWO_OVER_PI[w + 1u];
  let t2 = ACT_TWO_OVER_PI[w + 2u]; let t3 = ACT_TWO_OVER_PI[w + 3u];
  let w0 = (t0 << sh) | ((t1 >> (31u - sh)) >> 1u);
  let w1 = (t1 << sh) | ((t2 >> (31u - sh)) >> 1u);
  let w2 = (t2 << sh) | ((t3 >> (31u - sh)) >> 1u);
  // p = m·(w0 w1 w2) mod 2^96: two bits of quadrant, 94 bits of fraction
  let lo = act_mul_wide(m, w2);
  let mid = act_mul_wide(m, w1);
  let p2 = lo.x;
  let p1 = lo.y + mid.x;
  let p0 = mid.y + m * w0 + select(0u, 1u, p1 < lo.y);
  // the fraction as a signed 96-bit number: f ≥ 1/2 belongs to the next quadrant, as f - 1
  var f0 = (p0 << 2u) | (p1 >> 30u);
  var f1 = (p1 << 2u) | (p2 >> 30u);
  var f2 = p2 << 2u;
  let q = (p0 >> 30u) + (f0 >> 31u);
  let negative = (f0 >> 31u) == 1u;
  if (negative) {
    f0 = ~f0; f1 = ~f1; f2 = ~f2 + 1u;
    if (f2 == 0u) { f1 = f1 + 1u; if (f1 == 0u) { f0 = f0 + 1u; } }
  }
  var s = 0u;
  if (f0 == 0u) { f0 = f1; f1 = f2; f2 = 0u; s = 32u; }
  if (f0 == 0u) { f0 = f1; f1 = 0u; s = 64u; }
  let z = countLeadingZeros(f0);
  f0 = (f0 << z) | ((f1 >> (31u - z)) >> 1u);
  f1 = f1 << z;
  // |f| = fh + fl: fh has 12 bits, so fh·PIO2_HI is exact
  let unit = act_pow2(-12 - i32(s + z));
  let fh = f32(f0 >> 20u) * unit;
  let fl = f32(((f0 & 0xfffffu) << 4u) | (f1 >> 28u)) * (unit * 0x1p-24f);
  let r = fh * ${f32Literal(PIO2_HI)} + (fh * ${f32Literal(PIO2_LO)} + fl * ${f32Literal(Math.PI / 2)});
  return ActReduced(select(r, -r, negative), q);
}
// sin(a) (shift 0) or cos(a) = sin(a + π/2) (shift 1)
fn act_sincos(a: f32, shift: u32) -> f32 {
  let b = bitcast<u32>(a) & 0x7fffffffu;
  if (b >= 0x7f800000u) { return act_nan(); }
  var r = abs(a);
  var q = shift;
  if (b > 0x3f490fdau) {
    let reduced = act_trig_reduce(b);
    r = reduced.r;
    q = q + reduced.q;
  }
  let z = r * r;
  let s = r + r * (z * ${hornerWGSL(SIN_F64.slice(0, -1), 'z')});
  let c = 1.0f + z * ${hornerWGSL(COS_F64.slice(0, -1), 'z')};
  var v = select(s, c, (q & 1u) == 1u);
  if ((q & 2u) == 2u) { v = -v; }
  return select(v, -v, (shift == 0u) & (bitcast<u32>(a) >= 0x80000000u));
}
fn act_sin(a: f32) -> f32 { return act_sincos(a, 0u); }
fn act_cos(a: f32) -> f32 { return act_sincos(a, 1u); }`,
  },
};

/**
 * The code of the helpers in `used` and everything they need, dependencies first, `first` leading
 * (shared by the float32 and the double-float libraries).
 */
export function assembleLibrary<H extends string>(
  sources: Record<H, { readonly needs: readonly H[]; readonly code: string }>,
  first: H,
  used: Iterable<H>,
): string {
  const order: H[] = [];
  const visit = (h: H) => {
    if (order.includes(h)) return;
    for (const d of sources[h].needs) visit(d);
    order.push(h);
  };
  visit(first);
  for (const h of used) visit(h);
  return order.map((h) => sources[h].code).join('\n\n');
}

/** The WGSL source of the helpers in `used` and everything they call, dependencies first. */
export function mathLibrary(used: Iterable<MathHelper>): string {
  return assembleLibrary(HELPERS, 'opaque', used);
}
