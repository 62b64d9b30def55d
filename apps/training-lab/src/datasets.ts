/** Two-dimensional classification datasets, generated from a seed (the same points every run). */

export interface Dataset {
  readonly id: DatasetId;
  readonly name: string;
  /** n × 2 inputs, row-major. */
  readonly x: Float32Array;
  /** Class of each point, 0 … classes - 1. */
  readonly y: Int32Array;
  readonly classes: number;
  /** Square drawing domain [-extent, extent]². */
  readonly extent: number;
}

export const DATASETS = {
  and: 'AND',
  or: 'OR',
  nand: 'NAND',
  xor: 'XOR',
  moons: 'Two moons',
  circles: 'Circles',
  spiral: 'Spiral (3 classes)',
} as const;
export type DatasetId = keyof typeof DATASETS;

/** mulberry32: a small, good 32-bit generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample from two uniforms (Box–Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function make(
  id: DatasetId,
  points: Array<[number, number, number]>,
  classes: number,
  extent: number,
): Dataset {
  return {
    id,
    name: DATASETS[id],
    x: Float32Array.from(points.flatMap((p) => p.slice(0, 2))),
    y: Int32Array.from(points.map((p) => p[2])),
    classes,
    extent,
  };
}

const GATES: Record<'and' | 'or' | 'nand' | 'xor', (a: boolean, b: boolean) => boolean> = {
  and: (a, b) => a && b,
  or: (a, b) => a || b,
  nand: (a, b) => !(a && b),
  xor: (a, b) => a !== b,
};

/** The dataset `id` (inputs scaled to about [-1.5, 1.5]). */
export function dataset(id: DatasetId, seed = 1): Dataset {
  const random = rng(seed);
  if (id === 'and' || id === 'or' || id === 'nand' || id === 'xor') {
    const gate = GATES[id];
    // the four corners, as ±1 (centred inputs train faster than 0/1)
    return make(
      id,
      [
        [-1, -1],
        [-1, 1],
        [1, -1],
        [1, 1],
      ].map(([a, b]) => [a!, b!, gate(a! > 0, b! > 0) ? 1 : 0]),
      2,
      1.6,
    );
  }
  const points: Array<[number, number, number]> = [];
  if (id === 'moons') {
    for (let i = 0; i < 200; i++) {
      const upper = i % 2 === 0;
      const t = Math.PI * random();
      const [cx, cy] = upper ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      points.push([
        (cx - 0.5) * 1.2 + 0.12 * gaussian(random),
        (cy - 0.25) * 1.2 + 0.12 * gaussian(random),
        upper ? 0 : 1,
      ]);
    }
    return make(id, points, 2, 2);
  }
  if (id === 'circles') {
    for (let i = 0; i < 200; i++) {
      const inner = i % 2 === 0;
      const t = 2 * Math.PI * random();
      const r = (inner ? 0.5 : 1.2) + 0.1 * gaussian(random);
      points.push([r * Math.cos(t), r * Math.sin(t), inner ? 0 : 1]);
    }
    return make(id, points, 2, 1.8);
  }
  // spiral: three arms (CS231n's classic)
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 100; i++) {
      const r = (i / 100) * 1.4;
      const t = c * 4 + (i / 100) * 4 + 0.2 * gaussian(random);
      points.push([r * Math.sin(t), r * Math.cos(t), c]);
    }
  }
  return make(id, points, 3, 1.6);
}
