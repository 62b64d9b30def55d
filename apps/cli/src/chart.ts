/**
 * Figures (Vega-Lite specifications from @activations/plots) rendered to SVG by Vega (no browser,
 * no canvas) and to PNG by resvg: each activation with its derivative, and comparisons.
 */
import type { Activation } from '@activations/core';
import { activationSpec, comparisonSpec } from '@activations/plots';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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
  acts: readonly Activation[],
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
    await write(act.id, activationSpec(act, from, to));
  }
  if (acts.length > 1) {
    await write('comparison', comparisonSpec(acts, from, to, 'forward'));
    await write('comparison-derivatives', comparisonSpec(acts, from, to, 'derivative'));
  }
  return written;
}
