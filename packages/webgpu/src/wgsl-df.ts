/**
 * Double-float arithmetic for WGSL: a value is a `vec2<f32>` (hi, lo) with |lo| ≤ ulp(hi)/2, about
 * 48 significant bits, built from error-free transformations (Knuth's TwoSum, Dekker's split
 * product; both exact on SwiftShader, which does not contract or reassociate). Kernels whose float32
 * form misses the accuracy target — a derivative that cancels near its root, x·Φ(x) deep in the
 * tail — are emitted in this arithmetic instead: every node of the expression becomes a pair, and
 * exp, expm1, log, log1p, tanh, erf and erfc have double-float versions with float64 coefficients
 * (relative error about 2^-42). Roughly 10–20× the float32 cost, still one pass over the data.
 *
 * Every helper is prefixed `act_d`; `doubleFloatLibrary(used)` returns what is needed. Written for
 * compile time as much as run time: guards are `select`s on non-short-circuit `&`/`|` (a `&&` is a
 * branch, and SwiftShader took minutes and gigabytes on kernels with a few hundred inlined ones)
 * and polynomials are loops over constant tables.
 */
import { ERF_SMALL_F64, ERFC_F64, EXPM1_F64, LOG_F64 } from '@activations/core/coefficients';
import { assembleLibrary, f32Literal } from './wgsl-math.js';

/** A float64 constant as a WGSL double-float pair `act_dc(hi, lo)` (opaque to constant folding). */
export function dfLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`${value} has no double-float literal`);
  const hi = Math.fround(value);
  if (!Number.isFinite(hi)) throw new Error(`${value} overflows float32`);
  return `act_dc(${f32Literal(hi)}, ${f32Literal(value - hi)})`;
}

/**
 * Double-float Horner evaluation (highest degree first) in `u` (a vec2 expression) into `var
 * name`, as WGSL statements: a loop over a constant table, not unrolled, since SwiftShader's compile
 * time and memory grow steeply with the length of the (fully inlined) straight-line code.
 */
export function hornerDf(
  coefficients: readonly number[],
  u: string,
  name = 'p',
  indent = '  ',
): string {
  const pairs = coefficients.map((c) => {
    const hi = Math.fround(c);
    return `vec2<f32>(${f32Literal(hi)}, ${f32Literal(c - hi)})`;
  });
  const table = `${name}_c`;
  return [
    `const ${table} = array<vec2<f32>, ${pairs.length}>(${pairs.join(', ')});`,
    `var ${name} = act_dc(${table}[0].x, ${table}[0].y);`,
    `for (var i = 1u; i < ${pairs.length}u; i++) { ${name} = act_dadd(act_dmul(${name}, ${u}), act_dc(${table}[i].x, ${table}[i].y)); }`,
  ].join(`\n${indent}`);
}

/** ln 2 = L1 + L2 + L3 to 64 bits; L1 has 16 bits so k·L1 is exact for |k| < 256. */
const LN2_TAIL = 2.3190468138462996e-17; // ln 2 - Math.LN2
const LN2_1 = Math.round(Math.LN2 * 2 ** 16) / 2 ** 16;
const LN2_2 = Math.fround(Math.LN2 - LN2_1);
const LN2_3 = Math.fround(Math.LN2 - LN2_1 - LN2_2 + LN2_TAIL);
const LOG2E = f32Literal(Math.LOG2E);

export type DfHelper = 'core' | 'exp' | 'expm1' | 'log' | 'tanh' | 'erfc' | 'erf' | 'trig';

interface DfSource {
  readonly needs: readonly DfHelper[];
  readonly code: string;
}

const DF: Record<DfHelper, DfSource> = {
  core: {
    needs: [],
    code: `// double-float core: (hi, lo) pairs; non-finite hi carries lo = 0 so ∞ never turns into NaN.
// Constants go through act_dc (times the opaque act_one): drivers fold (1 + x) - 1 to x when both
// 1s are literals, which would erase the very rounding errors these pairs carry.
fn act_dc(h: f32, l: f32) -> vec2<f32> { return vec2<f32>(h * act_one, l * act_one); }
fn act_dfinite(a: f32) -> bool { return (bitcast<u32>(a) & 0x7f800000u) != 0x7f800000u; }
fn act_dquick(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  return select(vec2<f32>(s, 0.0f), vec2<f32>(s, b - (s - a)), act_dfinite(s));
}
fn act_dtwo_sum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bv = s - a;
  return select(vec2<f32>(s, 0.0f), vec2<f32>(s, (a - (s - bv)) + (b - bv)), act_dfinite(s));
}
fn act_dsplit(a: f32) -> vec2<f32> { let t = 4097.0f * a; let hi = t - (t - a); return vec2<f32>(hi, a - hi); }
fn act_dtwo_prod(a: f32, b: f32) -> vec2<f32> {
  let p = a * b;
  let sa = act_dsplit(a);
  let sb = act_dsplit(b);
  let e = ((sa.x * sb.x - p) + sa.x * sb.y + sa.y * sb.x) + sa.y * sb.y;
  // on a device that flushes denormals the error is garbage where a split's low half was a
  // denormal (below |a| ≈ 2^-114: hi + lo ≠ a, and 1e20·erfc(8.76) came out 2^-13 off; a test
  // of hi + lo == a itself is folded away by compilers, so magnitudes decide) or a
  // partial product was (below |p| = 2^-100, where the error, ≈ p·2^-24, is itself at most a
  // denormal): p alone is then the product, to float32's half ULP
  let exact = (abs(a) >= 0x1p-100f) & (abs(b) >= 0x1p-100f) & (abs(p) >= 0x1p-100f);
  let keep = (abs(a) < 1.0e30f) & (abs(b) < 1.0e30f) & act_dfinite(p) & exact;
  return vec2<f32>(p, select(0.0f, e, keep));
}
fn act_dadd(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let s = act_dtwo_sum(a.x, b.x);
  let t = act_dtwo_sum(a.y, b.y);
  let u = act_dquick(s.x, s.y + t.x);
  return act_dquick(u.x, u.y + t.y);
}
fn act_dneg(a: vec2<f32>) -> vec2<f32> { return -a; }
fn act_dsub(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return act_dadd(a, -b); }
// below |hi| = 2^-100 a low part is at most a denormal (≈ hi·2^-24), which a device that flushes
// them computes unevenly: it is dropped, so a later factor (dy = 2^20) cannot scale garbage up
fn act_dtiny(a: vec2<f32>) -> vec2<f32> { return select(a, vec2<f32>(a.x, 0.0f), abs(a.x) < 0x1p-100f); }
fn act_dmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let p = act_dtwo_prod(a.x, b.x);
  // the cross terms are 0·∞ = NaN when the product overflows
  return act_dtiny(act_dquick(p.x, select(0.0f, p.y + (a.x * b.y + a.y * b.x), act_dfinite(p.x))));
}
fn act_ddiv(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let q1 = a.x / b.x;
  let r = act_dsub(a, act_dmul(b, vec2<f32>(q1, 0.0f)));
  let q2 = r.x / b.x;
  let r2 = act_dsub(r, act_dmul(b, vec2<f32>(q2, 0.0f)));
  let q = act_dadd(act_dquick(q1, q2), vec2<f32>(r2.x / b.x, 0.0f));
  return act_dtiny(select(vec2<f32>(q1, 0.0f), q, act_dfinite(q1) & (q1 != 0.0f) & act_dfinite(b.x) & act_dfinite(q.x)));
}
fn act_dsqrt(a: vec2<f32>) -> vec2<f32> {
  let s = sqrt(a.x);
  let r = act_dsub(a, act_dtwo_prod(s, s));
  return select(vec2<f32>(s, 0.0f), act_dquick(s, r.x / (2.0f * s)), act_dfinite(s) & (s != 0.0f));
}
// sqrt(a² + c), c > 0: beyond |a| = 2^60, c/a² is below the pair's precision and a² would overflow
fn act_dsqrt_sq_plus(a: vec2<f32>, c: vec2<f32>) -> vec2<f32> {
  let big = abs(a.x) > 0x1p+60f;
  let s = select(a, vec2<f32>(0.0f, 0.0f), big);
  return select(act_dsqrt(act_dadd(act_dmul(s, s), c)), act_dabs(a), big);
}
fn act_dabs(a: vec2<f32>) -> vec2<f32> { return select(a, -a, a.x < 0.0f); }
fn act_dlt(a: vec2<f32>, b: vec2<f32>) -> bool { return (a.x < b.x) | ((a.x == b.x) & (a.y < b.y)); }
fn act_dle(a: vec2<f32>, b: vec2<f32>) -> bool { return (a.x < b.x) | ((a.x == b.x) & (a.y <= b.y)); }
fn act_deq(a: vec2<f32>, b: vec2<f32>) -> bool { return (a.x == b.x) & (a.y == b.y); }
fn act_dmin(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return select(b, a, act_dlt(a, b)); }
fn act_dmax(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return select(b, a, act_dlt(b, a)); }
fn act_dsign(a: vec2<f32>) -> vec2<f32> { return vec2<f32>(select(select(a.x, -1.0f, a.x < 0.0f), 1.0f, a.x > 0.0f), 0.0f); }
fn act_dscale(a: vec2<f32>, k: i32) -> vec2<f32> {
  // a·2^k for |k| ≤ 252, as two factors
  let k1 = k / 2;
  let s1 = bitcast<f32>(u32(k1 + 127) << 23u);
  let s2 = bitcast<f32>(u32(k - k1 + 127) << 23u);
  return act_dtiny((a * s1) * s2);
}`,
  },
  exp: {
    needs: ['core'],
    code: `// e^a - 1 and e^a for double-float a: k = round(a/ln 2), r = a - k·ln 2 with ln 2 to 64 bits,
// (e^r - 1)/r by the float64 fit (relative error 1e-13), 2^k applied exactly
fn act_dexp_reduce(a: vec2<f32>) -> vec3<f32> {
  let k = round(a.x * ${LOG2E});
  let t = a.x - k * ${f32Literal(LN2_1)};
  let r = act_dadd(act_dadd(vec2<f32>(t, a.y), -act_dtwo_prod(k, ${f32Literal(LN2_2)} * act_one)), vec2<f32>(-k * ${f32Literal(LN2_3)}, 0.0f));
  return vec3<f32>(r, k);
}
fn act_dexpm1_r(r: vec2<f32>) -> vec2<f32> {
  ${hornerDf(EXPM1_F64, 'r')}
  return act_dmul(p, r);
}
fn act_dexp(a: vec2<f32>) -> vec2<f32> {
  if (a.x > 88.75f) { let b = 0x7f800000u; return vec2<f32>(bitcast<f32>(b), 0.0f); }
  if (a.x < -104.0f) { return act_dc(0.0f, 0.0f); }
  let red = act_dexp_reduce(a);
  let e = act_dadd(act_dc(1.0f, 0.0f), act_dexpm1_r(red.xy));
  return act_dscale(e, i32(red.z));
}
// m·e^a with m applied between the two halves of 2^k (each within act_dscale's ±252): normal
// wherever the product is (a device that flushes denormals would lose m·e^-88 as e^-88 → 0)
fn act_dexp_times(a: vec2<f32>, m: vec2<f32>) -> vec2<f32> {
  if (a.x > 88.75f) { return act_dmul(act_dexp(a), m); }
  // below -200, |m|·e^a < 2^128·2^-288 is 0 for any finite m (and an overflowed m gives 0, not NaN)
  if (a.x < -200.0f) { return act_dc(0.0f, 0.0f); }
  let red = act_dexp_reduce(a);
  let e = act_dadd(act_dc(1.0f, 0.0f), act_dexpm1_r(red.xy));
  let k = i32(red.z);
  let k1 = k / 2;
  return act_dscale(act_dmul(act_dscale(e, k1), m), k - k1);
}
// m·σ(a): m/(1 + e^-a) for a ≥ 0, m·e^a/(1 + e^a) below (m scales e^a before it can underflow)
// m·tanh(softplus(a)) = m·n/(n + 2), n = e^a(e^a + 2), with m scaling e^a below 0 (mish's gate)
fn act_dmul_tanh_softplus(m: vec2<f32>, a: vec2<f32>) -> vec2<f32> {
  if (a.x > 20.0f) { return m; }
  let e = act_dexp(a);
  let e2 = act_dadd(e, act_dc(2.0f, 0.0f));
  let d = act_dadd(act_dmul(e, e2), act_dc(2.0f, 0.0f));
  if (a.x >= 0.0f) { return act_dmul(m, act_ddiv(act_dmul(e, e2), d)); }
  return act_dmul(act_dexp_times(a, m), act_ddiv(e2, d));
}
fn act_dmul_sigmoid(m: vec2<f32>, a: vec2<f32>) -> vec2<f32> {
  if (a.x >= 0.0f) { return act_ddiv(m, act_dadd(act_dc(1.0f, 0.0f), act_dexp(-a))); }
  return act_ddiv(act_dexp_times(a, m), act_dadd(act_dc(1.0f, 0.0f), act_dexp(a)));
}`,
  },
  expm1: {
    needs: ['exp'],
    code: `// e^a - 1 = 2^k·(e^r - 1) + (2^k - 1), no cancellation for small a
fn act_dexpm1(a: vec2<f32>) -> vec2<f32> {
  if (a.x > 88.75f) { return act_dexp(a); }
  if (a.x < -40.0f) { return act_dadd(act_dc(-1.0f, 0.0f), act_dexp(a)); }
  let red = act_dexp_reduce(a);
  let k = i32(red.z);
  let m = act_dexpm1_r(red.xy);
  let s = bitcast<f32>(u32(k + 127) << 23u);
  return act_dadd(act_dscale(m, k), act_dtwo_sum(s, -1.0f));
}`,
  },
  log: {
    needs: ['core'],
    code: `// ln a = k·ln 2 + 2·atanh(s), s = (f - 1)/(f + 1), f = a·2^-k in [√½, √2), float64 fit of atanh(s)/s
fn act_dlog(a: vec2<f32>) -> vec2<f32> {
  let b = bitcast<u32>(a.x);
  if ((b & 0x7fffffffu) == 0u) { let n = 0xff800000u; return vec2<f32>(bitcast<f32>(n), 0.0f); }
  if (b >= 0x80000000u) { let n = 0x7fc00000u; return vec2<f32>(bitcast<f32>(n), 0.0f); }
  if (b >= 0x7f800000u) { return vec2<f32>(a.x, 0.0f); }
  let k = (i32(b) - 0x3f3504f3i) >> 23u;
  let f = act_dscale(a, -k);
  let s = act_ddiv(act_dadd(f, act_dc(-1.0f, 0.0f)), act_dadd(f, act_dc(1.0f, 0.0f)));
  let z = act_dmul(s, s);
  ${hornerDf(LOG_F64, 'z')}
  let kf = f32(k);
  let kl = act_dadd(act_dtwo_prod(kf, ${f32Literal(LN2_1)} * act_one), act_dadd(act_dtwo_prod(kf, ${f32Literal(LN2_2)} * act_one), vec2<f32>(kf * ${f32Literal(LN2_3)}, 0.0f)));
  return act_dadd(kl, act_dmul(act_dmul(act_dc(2.0f, 0.0f), s), p));
}
fn act_dlog1p(u: vec2<f32>) -> vec2<f32> { return act_dlog(act_dadd(act_dc(1.0f, 0.0f), u)); }`,
  },
  tanh: {
    needs: ['expm1'],
    code: `// tanh a = -t/(t + 2), t = expm1(-2|a|)
fn act_dtanh(a: vec2<f32>) -> vec2<f32> {
  let t = act_dexpm1(act_dmul(act_dc(-2.0f, 0.0f), act_dabs(a)));
  let v = act_ddiv(-t, act_dadd(t, act_dc(2.0f, 0.0f)));
  return select(v, -v, a.x < 0.0f);
}`,
  },
  erfc: {
    needs: ['exp'],
    code: `// erfc |a| = e^(-a²)·g(2/(2 + |a|)) with the float64 fit of g (relative error 6e-13)
fn act_derfc_tail(z: vec2<f32>) -> vec2<f32> {
  if (z.x > 10.5f) { return act_dc(0.0f, 0.0f); }
  let t = act_ddiv(act_dc(2.0f, 0.0f), act_dadd(act_dc(2.0f, 0.0f), z));
  ${hornerDf(ERFC_F64, 't')}
  return act_dmul(act_dexp(-act_dmul(z, z)), p);
}
fn act_derfc(a: vec2<f32>) -> vec2<f32> {
  let tail = act_derfc_tail(act_dabs(a));
  return select(tail, act_dsub(act_dc(2.0f, 0.0f), tail), a.x < 0.0f);
}`,
  },
  erf: {
    needs: ['erfc'],
    code: `// erf a = a·P(a²) for |a| ≤ 1/2, ±(1 - erfc |a|) beyond
fn act_derf(a: vec2<f32>) -> vec2<f32> {
  if (abs(a.x) <= 0.5f) {
    let z = act_dmul(a, a);
    ${hornerDf(ERF_SMALL_F64, 'z')}
    return act_dmul(a, p);
  }
  let v = act_dsub(act_dc(1.0f, 0.0f), act_derfc_tail(act_dabs(a)));
  return select(v, -v, a.x < 0.0f);
}`,
  },
  trig: {
    needs: ['core'],
    code: `// sin/cos of hi + lo to float32 accuracy: sin(h) + cos(h)·l
fn act_dsin(a: vec2<f32>) -> vec2<f32> { return act_dquick(act_sin(a.x), act_cos(a.x) * a.y); }
fn act_dcos(a: vec2<f32>) -> vec2<f32> { return act_dquick(act_cos(a.x), -act_sin(a.x) * a.y); }`,
  },
};

/** WGSL source of the double-float helpers in `used` and what they call, dependencies first. */
export function doubleFloatLibrary(used: Iterable<DfHelper>): string {
  return assembleLibrary(DF, 'core', used);
}
