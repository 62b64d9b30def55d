/**
 * Compute shaders: elementwise maps (f(x), f′(x)·dy, ∂f/∂p) over a grid-stride loop, and the
 * softmax family with one workgroup per row. Every shader reads its element count from the bound
 * range (`arrayLength`), so one pipeline serves any length and any chunk of a larger array.
 */
import type { SoftmaxSpec } from '@activations/core';
import { librarySource, type WgslFunction } from './wgsl.js';
import { f32Literal, mathLibrary } from './wgsl-math.js';

/** Threads per workgroup of the elementwise kernels. */
export const WORKGROUP = 256;

/**
 * First statement of every entry point: sets the math library's act_one to 1.0 from a run-time
 * value (an array length below 2^30 adds nothing), so the compiler cannot fold it as a literal.
 */
const SET_ACT_ONE =
  'act_one = bitcast<f32>(0x3f800000u | (arrayLength(&act_out) >> 30u)); // 1.0, opaque to the compiler';

/** Threads per workgroup (and per row) of the softmax kernels. */
export const ROW_WORKGROUP = 64;

/**
 * Which buffers a kernel binds. The output may alias an input (WebGPU forbids binding one buffer
 * as read-only and writable in one dispatch), so aliasing gets its own kernel that reads the output.
 */
export type KernelShape =
  | 'map' // y = f(x)
  | 'map-in-place' // y = f(y)
  | 'backward' // y = f′(x)·dy
  | 'backward-out-x' // x is y
  | 'backward-out-dy'; // dy is y

/** Bindings: 0 = x, 1 = dy, 2 = y (read_write), 3 = uniform info (softmax). */
export function bindingsOf(shape: KernelShape): { x: boolean; dy: boolean } {
  return {
    x: shape === 'map' || shape === 'backward' || shape === 'backward-out-dy',
    dy: shape === 'backward' || shape === 'backward-out-x',
  };
}

const BINDINGS = {
  x: '@group(0) @binding(0) var<storage, read> act_in_x: array<f32>;',
  dy: '@group(0) @binding(1) var<storage, read> act_in_dy: array<f32>;',
  y: '@group(0) @binding(2) var<storage, read_write> act_out: array<f32>;',
};

/**
 * The WGSL module of an elementwise kernel around `fn` (named `act_f`). A backward kernel whose
 * `fn` is scaled (dy inside its product, see wgsl.ts scaledBy) may take `plain`, the unscaled f′:
 * where f′(x) is a normal float, dy·f′(x) is that value times dy — as exact as the derivative
 * kernel, whose holes the façade fixes — and only where it is not (a denormal or 0 that dy may
 * lift into the normal range) does the scaled function run. Pushing dy into a sum of terms costs
 * digits where a term alone underflows (GELU′(-12.9)·0.2: Φ(x)·0.2 is a denormal).
 */
export function elementwiseShader(
  fn: WgslFunction,
  shape: KernelShape,
  plain?: WgslFunction,
): string {
  const { x, dy } = bindingsOf(shape);
  const readX = x ? 'act_in_x[i]' : 'act_out[i]';
  const backward = shape.startsWith('backward');
  const readDy = dy ? 'act_in_dy[i]' : 'act_out[i]';
  const both = backward && fn.scaled && plain !== undefined;
  // a scaled function takes dy into its product (see wgsl.ts scaledBy); others are multiplied after
  const body = both
    ? [
        `    let xi = ${readX};`,
        `    let dyi = ${readDy};`,
        `    let d = ${plain.name}(xi);`,
        '    if (abs(d) >= 0x1p-126f) { act_out[i] = d * dyi; } else { act_out[i] = ' +
          `${fn.name}(xi, dyi); }`,
      ]
    : [
        `    act_out[i] = ${
          !backward
            ? `${fn.name}(${readX})`
            : fn.scaled
              ? `${fn.name}(${readX}, ${readDy})`
              : `${fn.name}(${readX}) * ${readDy}`
        };`,
      ];
  const library = both
    ? librarySource({
        ...fn,
        helpers: new Set([...fn.helpers, ...plain.helpers]),
        dfHelpers: new Set([...fn.dfHelpers, ...plain.dfHelpers]),
      })
    : librarySource(fn);
  return [
    library,
    '',
    fn.code,
    '',
    ...(both ? [plain.code, ''] : []),
    ...(x ? [BINDINGS.x] : []),
    ...(dy ? [BINDINGS.dy] : []),
    BINDINGS.y,
    '',
    `@compute @workgroup_size(${WORKGROUP})`,
    'fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {',
    '  let n = arrayLength(&act_out);',
    `  ${SET_ACT_ONE}`,
    `  let stride = groups.x * ${WORKGROUP}u;`,
    '  for (var i = id.x; i < n; i = i + stride) {',
    ...body,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * softmax(s·x) or log-softmax(s·x) over rows of `info.length` floats, one workgroup per row
 * (grid-stride over rows). Pass 1 reduces the row's largest finite value, its count of +∞ and
 * whether it holds NaN; pass 2 sums e^(v - m) with v - m carried as hi + lo (the rounding of s·x
 * and of the subtraction added back), pass 3 writes e^(v - m)/Σ or (v - m) - ln Σ. Rows with
 * +∞ put their mass on those entries, rows of -∞ are uniform and NaN gives a NaN row, as in
 * core's float64 reference.
 */
export function softmaxShader(spec: SoftmaxSpec): string {
  const s = f32Literal(spec.scale);
  const W = ROW_WORKGROUP;
  const minusInf = spec.log ? '-act_inf()' : '0.0f';
  const onInfinity = spec.log ? '-act_log(f32(inf_count))' : '1.0f / f32(inf_count)';
  const uniform = spec.log ? '-act_log(f32(len))' : '1.0f / f32(len)';
  const finite = spec.log ? '(d.x - lse) + d.y' : 'act_exp_hl(d.x, d.y) / total';
  return `${mathLibrary(['exp', 'log', 'log1p', 'split', 'bits'])}

struct ActInfo { length: u32 }
@group(0) @binding(0) var<storage, read> act_in_x: array<f32>;
${BINDINGS.y}
@group(0) @binding(3) var<uniform> info: ActInfo;
var<workgroup> act_max: array<f32, ${W}>;
var<workgroup> act_count: array<u32, ${W}>;
var<workgroup> act_flags: array<u32, ${W}>;
var<workgroup> act_sum: array<vec2<f32>, ${W}>;
var<workgroup> act_ties: array<u32, ${W}>;

// (hi, lo) + b with the rounding error of the sum kept (Knuth's TwoSum)
fn act_sum2(a: vec2<f32>, b: f32) -> vec2<f32> {
  let s = a.x + b;
  let bb = s - a.x;
  let e = (a.x - (s - bb)) + (b - bb);
  return vec2<f32>(s, a.y + e);
}

// 0: finite, 1: +∞, 2: -∞, 3: NaN
fn act_class(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  let a = b & 0x7fffffffu;
  if (a < 0x7f800000u) { return 0u; }
  if (a > 0x7f800000u) { return 3u; }
  return select(1u, 2u, b == 0xff800000u);
}

// s·x - m as hi + lo: the product error (Dekker) and the subtraction error (Knuth) kept
fn act_shifted(x: f32, m: f32) -> vec2<f32> {
  let p = ${s} * x;
  let pe = act_prod_err(${s}, x, p);
  let d = p - m;
  let bv = d - p;
  let e = (p - (d - bv)) + (-m - bv);
  return vec2<f32>(d, e + pe);
}

@compute @workgroup_size(${W})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let len = info.length;
  ${SET_ACT_ONE}
  let rows = arrayLength(&act_out) / len;
  let t = lid.x;
  for (var r = wid.x; r < rows; r = r + groups.x) {
    let base = r * len;
    var m = -3.4028234663852886e38f;
    var inf_count = 0u;
    var flags = 0u; // 1: NaN seen, 2: a finite value seen
    for (var j = t; j < len; j = j + ${W}u) {
      let v = ${s} * act_in_x[base + j];
      let cls = act_class(v);
      if (cls == 0u) { m = max(m, v); flags = flags | 2u; }
      if (cls == 1u) { inf_count = inf_count + 1u; }
      if (cls == 3u) { flags = flags | 1u; }
    }
    act_max[t] = m;
    act_count[t] = inf_count;
    act_flags[t] = flags;
    workgroupBarrier();
    for (var k = ${W / 2}u; k > 0u; k = k >> 1u) {
      if (t < k) {
        act_max[t] = max(act_max[t], act_max[t + k]);
        act_count[t] = act_count[t] + act_count[t + k];
        act_flags[t] = act_flags[t] | act_flags[t + k];
      }
      workgroupBarrier();
    }
    m = act_max[0];
    inf_count = act_count[0];
    flags = act_flags[0];
    // Σ e^(v - m) in double-float (a float32 sum of 32,768 terms drifts by ~100 ULP), the maxima
    // (exactly 1 each) counted apart: log Σ = log(ties) + log1p(rest/ties) keeps its digits where
    // Σ = 1 + tiny, as log-softmax at the largest entry needs
    var part = vec2<f32>(0.0f, 0.0f);
    var ties = 0u;
    for (var j = t; j < len; j = j + ${W}u) {
      let xv = act_in_x[base + j];
      if (act_class(${s} * xv) == 0u) {
        let d = act_shifted(xv, m);
        if (d.x == 0.0f && d.y == 0.0f) { ties = ties + 1u; } else { part = act_sum2(part, act_exp_hl(d.x, d.y)); }
      }
    }
    act_sum[t] = part;
    act_ties[t] = ties;
    workgroupBarrier();
    for (var k = ${W / 2}u; k > 0u; k = k >> 1u) {
      if (t < k) {
        let a = act_sum[t];
        let b = act_sum[t + k];
        let c = act_sum2(a, b.x);
        act_sum[t] = vec2<f32>(c.x, c.y + b.y);
        act_ties[t] = act_ties[t] + act_ties[t + k];
      }
      workgroupBarrier();
    }
    let rest = act_sum[0].x + act_sum[0].y;
    let tie_count = f32(max(act_ties[0], 1u));
    let total = tie_count + rest;
    // log1p(q) = q below 1e-20 (and its own steps would make a denormal of q near 2^-126)
    let q = rest / tie_count;
    let lse = act_log(tie_count) + select(act_log1p(q), q, q < 1.0e-20f);
    for (var j = t; j < len; j = j + ${W}u) {
      let xv = act_in_x[base + j];
      let cls = act_class(${s} * xv);
      var out: f32;
      if ((flags & 1u) != 0u) {
        out = act_nan();
      } else if (inf_count > 0u) {
        out = select(${minusInf}, ${onInfinity}, cls == 1u);
      } else if ((flags & 2u) == 0u) {
        out = ${uniform}; // every entry -∞
      } else if (cls == 2u) {
        out = ${minusInf};
      } else {
        let d = act_shifted(xv, m);
        out = ${finite};
      }
      act_out[base + j] = out;
    }
    workgroupBarrier();
  }
}

`;
}
