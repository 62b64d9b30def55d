/**
 * The softmax family over rows as one SIMD kernel: softmax(s·x) or log-softmax(s·x) of each row
 * of `length` floats. Pass 1 takes the row maximum on f32x4 lanes (lanes past the row's end
 * masked to -∞); pass 2 sums exp(s·x - m) on f64x2 lanes (so the shifted argument is exact) and,
 * for softmax, keeps the exponentials in float64 in `scratch` (one row, length + 4 doubles); pass 3
 * scales by 1/Σ, or subtracts m and then log Σ, in float64 and rounds once — each probability within
 * 0.5 ULP and a few 2^-50, so a backward product p_i·p_m carries two half-ULP errors, not four. Row maxima are written to `info`, so the caller can fix up the rare rows whose
 * maximum is not finite (±∞ entries) with the reference. Inputs must be readable 3 floats past the
 * end (the backend pads), and outputs writable there.
 */
import type { SoftmaxSpec } from '@activations/core';
import {
  encodeModule,
  F64,
  FunctionBuilder,
  I32,
  type MemoryImport,
  Op,
  Simd,
  V128,
} from './binary.js';
import { HIGH_HALF, SimdEmitter } from './simd-math.js';

/** Compiles `kernel(x, out, info, scratch, rows, length)` for one member of the softmax family. */
export function compileSoftmax(
  spec: SoftmaxSpec,
  memory: MemoryImport = { shared: false },
  output: 'float32' | 'float64' = 'float32',
): Uint8Array<ArrayBuffer> {
  const [X, OUT, INFO, SCRATCH, ROWS, LENGTH] = [0, 1, 2, 3, 4, 5];
  const fb = new FunctionBuilder([I32, I32, I32, I32, I32, I32]);
  const row = fb.local(I32);
  const base = fb.local(I32); // byte offset of the row in x
  const outBase = fb.local(I32);
  const j = fb.local(I32); // element index within the row
  const maxima = fb.local(V128);
  const sums = fb.local(V128);
  const rowMax = fb.local(V128); // f64x2 splat of the row maximum
  const scale = fb.local(V128); // f64x2 splat of 1/Σ, or of Σ for its log
  const prologue: number[] = [];
  const em64 = new SimdEmitter(fb, 'f64', prologue, { sin: -1, cos: -1 });
  const em32 = new SimdEmitter(fb, 'f32', prologue, { sin: -1, cos: -1 });
  const laneIndex = em32.bits('lane-index', new Uint8Array(Int32Array.of(0, 1, 2, 3).buffer));
  const minusInf = em32.const(Number.NEGATIVE_INFINITY);
  const s32 = em32.const(spec.scale);

  const body: number[] = [];
  const flush = () => body.push(...fb.code.splice(0));

  /** Emits `for (j = 0; j < length; j += 4) { each() }`. */
  const overRow = (each: () => void) => {
    fb.i32(0).set(j);
    fb.emit(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
    fb.get(j).get(LENGTH).emit(Op.i32GeS, Op.brIf, 1);
    each();
    fb.get(j).i32(4).emit(Op.i32Add).set(j);
    fb.emit(Op.br, 0, Op.end, Op.end);
  };
  const address = (pointerBase: number) =>
    fb.get(pointerBase).get(j).i32(2).emit(Op.i32Shl, Op.i32Add);
  /** s·x for the four floats at j, and the mask of lanes inside the row. */
  const loadScaled = () => {
    address(base).simd(Simd.load, 2, 0);
    const v = fb.local(V128);
    fb.set(v);
    fb.get(LENGTH).get(j).emit(Op.i32Sub).simd(Simd.i32x4Splat).get(laneIndex).simd(0x3b); // i32x4.gt_s
    const mask = fb.local(V128);
    fb.set(mask);
    return { v: spec.scale === 1 ? v : em32.op('mul', v, s32), mask };
  };
  /** The two f64x2 halves of the four exponentials at j, in scratch (byte 8j and 8j + 16). */
  const scratchAddress = () => fb.get(SCRATCH).get(j).i32(3).emit(Op.i32Shl, Op.i32Add);
  // float64 output: the two halves as they are, at byte 8j and 8j + 16 of the row
  const outRowShift = output === 'float64' ? 3 : 2;
  const storeJoined = (lo: number, hi: number) => {
    if (output === 'float64') {
      fb.get(outBase).get(j).i32(3).emit(Op.i32Shl, Op.i32Add).get(lo).simd(Simd.store, 3, 0);
      fb.get(outBase).get(j).i32(3).emit(Op.i32Shl, Op.i32Add).get(hi).simd(Simd.store, 3, 16);
      return;
    }
    const joined = em64.demoteJoin(lo, hi);
    address(outBase).get(joined).simd(Simd.store, 2, 0);
  };

  // per row
  fb.i32(0).set(row);
  fb.emit(Op.block, Op.blockTypeEmpty, Op.loop, Op.blockTypeEmpty);
  fb.get(row).get(ROWS).emit(Op.i32GeS, Op.brIf, 1);
  fb.get(row).get(LENGTH).emit(0x6c).i32(2).emit(Op.i32Shl).set(j); // j as scratch: row·length·4
  fb.get(X).get(j).emit(Op.i32Add).set(base);
  fb.get(row)
    .get(LENGTH)
    .emit(0x6c)
    .i32(outRowShift)
    .emit(Op.i32Shl)
    .get(OUT)
    .emit(Op.i32Add)
    .set(outBase); // row·length·(4 or 8)

  // pass 1: the row maximum of s·x (NaN anywhere gives NaN)
  fb.get(minusInf).set(maxima);
  overRow(() => {
    const { v, mask } = loadScaled();
    fb.get(maxima).get(v).get(minusInf).get(mask).simd(Simd.bitselect).simd(0xe9).set(maxima); // f32x4.max
  });
  fb.get(maxima)
    .get(maxima)
    .simd(Simd.shuffle, ...HIGH_HALF)
    .get(maxima)
    .simd(0xe9)
    .set(maxima);
  fb.get(maxima)
    .get(maxima)
    .simd(Simd.shuffle, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7)
    .get(maxima)
    .simd(0xe9)
    .set(maxima);
  fb.get(INFO)
    .get(row)
    .i32(2)
    .emit(Op.i32Shl, Op.i32Add)
    .get(maxima)
    .simd(0x1f, 0)
    .emit(0x38, 2, 0); // f32.store info[row]
  fb.get(maxima).simd(0x1f, 0).emit(0xbb).simd(Simd.f64x2Splat).set(rowMax); // f64.promote_f32, splat

  // pass 2: Σ exp(s·x - m) on f64 lanes; softmax also stores the exponentials. log-softmax keeps
  // the maxima (exactly 1 each) apart from the rest, so log Σ = log(ties) + log1p(rest/ties) has
  // its digits where Σ = 1 + tiny (at the largest entry log p is -log1p(rest), not log(1 + rest))
  const ties = fb.local(V128);
  fb.get(em64.const(0)).set(sums);
  if (spec.log) fb.get(em64.const(0)).set(ties);
  overRow(() => {
    const { v, mask } = loadScaled();
    const [lo, hi] = em64.promoteHalves(v);
    const [maskLo, maskHi] = em64.widenMaskHalves(mask);
    const argumentRange = { lo: Number.NEGATIVE_INFINITY, hi: 0 };
    const dLo = em64.op('sub', lo, rowMax);
    const dHi = em64.op('sub', hi, rowMax);
    let eLo = em64.bitwise('and', em64.exp(dLo, argumentRange), maskLo);
    let eHi = em64.bitwise('and', em64.exp(dHi, argumentRange), maskHi);
    if (spec.log) {
      const zero = em64.const(0);
      const tieLo = em64.bitwise('and', em64.op('eq', dLo, zero), maskLo);
      const tieHi = em64.bitwise('and', em64.op('eq', dHi, zero), maskHi);
      const one = em64.const(1);
      const counted = em64.op(
        'add',
        em64.bitwise('and', one, tieLo),
        em64.bitwise('and', one, tieHi),
      );
      fb.get(ties).get(counted).simd(0xf0).set(ties); // f64x2.add
      eLo = em64.bitwise('andnot', eLo, tieLo);
      eHi = em64.bitwise('andnot', eHi, tieHi);
    }
    fb.get(sums).get(eLo).simd(0xf0).get(eHi).simd(0xf0).set(sums); // f64x2.add
    if (!spec.log) {
      scratchAddress().get(eLo).simd(Simd.store, 3, 0);
      scratchAddress().get(eHi).simd(Simd.store, 3, 16);
    }
  });
  /** The sum of an f64x2 value's two lanes, as an f64 local. */
  const laneSum = (v: number): number => {
    const sum = fb.local(F64);
    fb.get(v)
      .simd(Simd.f64x2ExtractLane, 0)
      .get(v)
      .simd(Simd.f64x2ExtractLane, 1)
      .emit(0xa0)
      .set(sum); // f64.add
    return sum;
  };
  const total = laneSum(sums);

  // pass 3
  if (spec.log) {
    const tieCount = laneSum(ties);
    const tiesSplat = fb.local(V128);
    fb.get(tieCount).simd(Simd.f64x2Splat).set(tiesSplat);
    fb.get(total).simd(Simd.f64x2Splat).set(scale); // Σ of the rest
    const split = em64.op(
      'add',
      em64.log1p(tiesSplat, true),
      em64.log1p(em64.op('div', scale, tiesSplat)),
    );
    // no maximum counted (a row of ±∞ or NaN): log Σ of everything, as before
    const logTotal = em64.select(
      em64.op('gt', tiesSplat, em64.const(0)),
      split,
      em64.log1p(em64.op('add', scale, tiesSplat), true),
    );
    overRow(() => {
      // (s·x - m) - log Σ: subtracting m + log Σ at once would round log Σ's digits away
      const { v } = loadScaled();
      const [lo, hi] = em64.promoteHalves(v);
      storeJoined(
        em64.op('sub', em64.op('sub', lo, rowMax), logTotal),
        em64.op('sub', em64.op('sub', hi, rowMax), logTotal),
      );
    });
  } else {
    fb.emit(0x44, ...new Uint8Array(Float64Array.of(1).buffer))
      .get(total)
      .emit(0xa3)
      .simd(Simd.f64x2Splat)
      .set(scale); // 1/Σ
    overRow(() => {
      const lo = fb.local(V128);
      const hi = fb.local(V128);
      scratchAddress().simd(Simd.load, 3, 0).set(lo);
      scratchAddress().simd(Simd.load, 3, 16).set(hi);
      storeJoined(em64.op('mul', lo, scale), em64.op('mul', hi, scale));
    });
  }
  fb.get(row).i32(1).emit(Op.i32Add).set(row);
  fb.emit(Op.br, 0, Op.end, Op.end);
  flush();

  fb.append(prologue).append(body);
  return encodeModule([], [{ name: 'kernel', builder: fb, results: [] }], memory);
}
