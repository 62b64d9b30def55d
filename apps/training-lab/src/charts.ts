/**
 * Live charts: Vega-Lite specifications with named data sets, compiled once; each update replaces
 * the data and re-runs the view (no re-parse), so the charts can follow training.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Dataset } from './datasets.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const CLASS_COLORS = ['#4c78a8', '#f58518', '#54a24b'];

export class LiveChart {
  readonly #view: vega.View;
  constructor(container: HTMLElement, spec: TopLevelSpec, renderer: 'svg' | 'canvas' = 'canvas') {
    this.#view = new vega.View(vega.parse(compile(spec).spec), {
      renderer,
      container,
      hover: false,
    });
  }
  /** Replaces named data sets and redraws. */
  async update(data: Record<string, object[]>): Promise<void> {
    for (const [name, values] of Object.entries(data)) this.#view.data(name, values);
    await this.#view.runAsync();
  }
  finalize(): void {
    this.#view.finalize();
  }
}

function base(title: string, width: number, height: number): Partial<TopLevelSpec> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height,
    background: 'white',
    padding: { left: 12, right: 12, top: 6, bottom: 6 },
    autosize: { type: 'pad', resize: true },
    title: { text: title, anchor: 'start', fontSize: 13 },
    config: {
      font: FONT,
      axis: { gridColor: '#eee', labelFontSize: 10, titleFontSize: 11 },
      legend: { labelFontSize: 10, titleFontSize: 10 },
      view: { stroke: null },
    },
  } as Partial<TopLevelSpec>;
}

/** The decision boundary: a grid of cells coloured by predicted class (paler when unsure), and the data. */
export function boundarySpec(data: Dataset, size = 220): TopLevelSpec {
  const domain = [-data.extent, data.extent];
  const color = {
    field: 'c',
    type: 'nominal',
    scale: { domain: CLASS_COLORS.slice(0, data.classes).map((_, i) => i), range: CLASS_COLORS },
    legend: null,
  };
  return {
    ...base('decision boundary', size, size),
    layer: [
      {
        data: { name: 'grid' },
        mark: { type: 'rect', strokeWidth: 0 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain, nice: false }, axis: null },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale: { domain, nice: false }, axis: null },
          y2: { field: 'y2' },
          color,
          opacity: {
            field: 'p',
            type: 'quantitative',
            scale: { domain: [1 / data.classes, 1], range: [0.05, 0.45] },
            legend: null,
          },
        },
      },
      {
        data: { name: 'points' },
        mark: {
          type: 'circle',
          size: data.y.length <= 4 ? 160 : 22,
          stroke: 'white',
          strokeWidth: 0.7,
          opacity: 1,
        },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          color,
        },
      },
    ],
    datasets: { grid: [], points: [] },
  } as unknown as TopLevelSpec;
}

/** Lines over training steps, one per series, on a log scale when asked. */
export function historySpec(
  title: string,
  yTitle: string,
  options: { log?: boolean; width?: number; height?: number; legend?: string } = {},
): TopLevelSpec {
  return {
    ...base(title, options.width ?? 260, options.height ?? 150),
    data: { name: 'history' },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        scale: options.log ? { type: 'log' } : { zero: true },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: null,
        scale: { scheme: options.legend === 'layer' ? 'viridis' : 'tableau10' },
        legend: {
          orient: 'bottom',
          direction: options.legend === 'layer' ? 'horizontal' : 'vertical',
          columns: options.legend === 'layer' ? 5 : 1,
        },
      },
    },
    datasets: { history: [] },
  } as unknown as TopLevelSpec;
}

/** Bars per hidden layer (e.g. the fraction of dead units). */
export function layerBarsSpec(title: string, width = 220, height = 120): TopLevelSpec {
  return {
    ...base(title, width, height),
    data: { name: 'bars' },
    mark: { type: 'bar', color: '#e45756' },
    encoding: {
      x: { field: 'layer', type: 'ordinal', title: 'hidden layer', axis: { labelAngle: 0 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: null,
        scale: { domain: [0, 1] },
        axis: { format: '%' },
      },
    },
    datasets: { bars: [] },
  } as unknown as TopLevelSpec;
}
