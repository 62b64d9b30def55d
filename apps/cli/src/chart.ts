/**
 * Figures as Vega-Lite specifications, rendered to SVG by Vega (no browser, no canvas) and to PNG
 * by resvg: the function and its derivative on one set of axes, as in a textbook, and comparisons
 * of several activations.
 */
import type { ElementwiseActivation, Interval } from '@activations/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const SAMPLES = 601;
const WIDTH = 480;
const HEIGHT = 300;

interface Point {
  x: number;
  y: number;
  series: string;
}

/** f (or f′) sampled on [from, to]; non-finite values left out (a gap in the line). */
function samples(f: (x: number) => number, from: number, to: number, series: string): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const x = from + ((to - from) * i) / (SAMPLES - 1);
    const y = f(x);
    if (Number.isFinite(y)) points.push({ x, y, series });
  }
  return points;
}

/** A range end to four significant digits. */
function short(v: number): string {
  return v === Number.POSITIVE_INFINITY ? '∞' : v === Number.NEGATIVE_INFINITY ? '-∞' : String(Number(v.toPrecision(4)));
}

/** Grey axes through the origin, as in a textbook figure. */
const ORIGIN_AXES = [
  { mark: { type: 'rule', color: '#999', strokeWidth: 1 }, encoding: { y: { datum: 0, type: 'quantitative' } } },
  { mark: { type: 'rule', color: '#999', strokeWidth: 1 }, encoding: { x: { datum: 0, type: 'quantitative' } } },
] as const;

function lines(values: Point[], from: number, to: number, legend: string, dashed?: string): object {
  return {
    data: { values },
    mark: { type: 'line', strokeWidth: 2.5, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [from, to], nice: false } },
      y: { field: 'y', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: legend, scale: { scheme: 'tableau10' }, sort: null },
      ...(dashed ? { strokeDash: { condition: { test: `datum.series === '${dashed}'`, value: [6, 4] }, value: [1, 0] } } : {}),
    },
  };
}

function figure(title: string, subtitle: string, layers: object[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 12,
    title: { text: title, subtitle, anchor: 'start', fontSize: 16, subtitleFontSize: 12, subtitleColor: '#555' },
    config: { axis: { grid: true, gridColor: '#eee', labelFontSize: 11, titleFontSize: 12 }, legend: { orient: 'top-left', labelFontSize: 12, titleFontSize: 12 }, font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
    layer: [...ORIGIN_AXES, ...layers],
  } as TopLevelSpec;
}

/** One activation: f solid, f′ dashed, on [from, to]. */
export function functionSpec(act: ElementwiseActivation, from: number, to: number): TopLevelSpec {
  const values = [...samples(act.forward, from, to, 'f(x)'), ...samples(act.derivative, from, to, "f′(x)")];
  const params = Object.entries(act.params).map(([k, v]) => `${k} = ${v}`).join(', ');
  const range = (i: Interval) => `${i.loClosed ? '[' : '('}${short(i.lo)}, ${short(i.hi)}${i.hiClosed ? ']' : ')'}`;
  const derivative = act.bounds.derivative ? `, f′ in ${range(act.bounds.derivative)}` : '';
  return figure(`${act.docs.name}${params ? ` (${params})` : ''}: f and f′`, `f in ${range(act.bounds.output)}${derivative}`, [
    lines(values, from, to, '', 'f′(x)'),
  ]);
}

/** Several activations (or their derivatives) on one set of axes. */
export function comparisonSpec(acts: readonly ElementwiseActivation[], from: number, to: number, op: 'forward' | 'derivative'): TopLevelSpec {
  const values = acts.flatMap((a) => samples(op === 'forward' ? a.forward : a.derivative, from, to, a.id));
  return figure(op === 'forward' ? 'Activation functions' : 'Their derivatives', acts.map((a) => a.docs.name).join(', '), [lines(values, from, to, op === 'forward' ? 'f(x)' : "f′(x)")]);
}

/** The SVG of a Vega-Lite specification. */
export async function renderSvg(spec: object): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A PNG of an SVG at twice its size (system fonts: DejaVu Sans where installed). */
export function renderPng(svg: string): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}

/**
 * Writes `<id>.svg` per activation (and `.png` with `png`), plus comparisons of the functions and
 * of their derivatives when there are several; returns the paths written.
 */
export async function writeFigures(
  acts: readonly ElementwiseActivation[],
  dir: string,
  options: { from: number; to: number; png?: boolean | undefined; progress?: ((line: string) => void) | undefined },
): Promise<string[]> {
  const { from, to } = options;
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, spec: TopLevelSpec) => {
    const svg = await renderSvg(spec);
    written.push(resolve(dir, `${name}.svg`));
    await writeFile(written.at(-1)!, svg);
    if (options.png) {
      written.push(resolve(dir, `${name}.png`));
      await writeFile(written.at(-1)!, renderPng(svg));
    }
  };
  for (const [i, act] of acts.entries()) {
    options.progress?.(`plotting ${act.id} (${i + 1}/${acts.length}) …`);
    await write(act.id, functionSpec(act, from, to));
  }
  if (acts.length > 1) {
    await write('comparison', comparisonSpec(acts, from, to, 'forward'));
    await write('comparison-derivatives', comparisonSpec(acts, from, to, 'derivative'));
  }
  return written;
}
