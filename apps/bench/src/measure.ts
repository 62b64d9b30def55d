/** Timing helpers: best-of-several rounds, so one noisy round on a shared machine does not decide. */

/** Median-free, noise-tolerant throughput: the best of `rounds` timings, each of enough repetitions. */
export function throughput(
  run: () => void,
  elements: number,
  options: { rounds?: number; minMs?: number } = {},
): number {
  const rounds = options.rounds ?? 7;
  const minMs = options.minMs ?? 40;
  for (let i = 0; i < 3; i++) run(); // warm up: compile and reach the optimising tier
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    if (performance.now() - t0 >= minMs / 4) break;
    reps *= 2;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return elements / (best * 1e3); // elements per microsecond = Melem/s
}

/** Inputs spread over the range activations see: uniform in [-8, 8]. */
export function sampleInput(n: number, seed = 1): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32) * 16 - 8;
  }
  return x;
}

/** `throughput` for asynchronous runs (onnxruntime-web's session.run). */
export async function throughputAsync(
  run: () => Promise<unknown>,
  elements: number,
  options: { rounds?: number; minMs?: number } = {},
): Promise<number> {
  const rounds = options.rounds ?? 7;
  const minMs = options.minMs ?? 40;
  for (let i = 0; i < 3; i++) await run();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await run();
    if (performance.now() - t0 >= minMs / 4) break;
    reps *= 2;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await run();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return elements / (best * 1e3);
}
