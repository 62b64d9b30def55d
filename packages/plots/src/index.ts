/**
 * What the apps draw: curves of any activation (elementwise ones as they are; a softmax-family
 * activation as the first output for the row [x, 0]; softmax cross-entropy as the loss of the
 * logits [x, 0] for class 0) and Vega-Lite figures of them — a function with its derivative and
 * its declared range shaded, as in a textbook, or several curves compared on one set of axes.
 */
import type { Activation, Interval } from '@activations/core';
import type { TopLevelSpec } from 'vega-lite';

/** Values of f and f′ at xs. */
export interface Curve {
  readonly x: Float64Array;
  readonly f: Float64Array;
  readonly df: Float64Array;
}

/** `n` evenly spaced points from `from` to `to`. */
export function grid(from: number, to: number, n = 601): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

/** How a non-elementwise activation is drawn as a function of one x. */
export function curveCaption(act: Activation): string | undefined {
  if (act.kind === 'vector') return `${act.id}([x, 0]) first output, and its derivative in x`;
  if (act.kind === 'loss') return 'loss of the logits [x, 0] for class 0, and its derivative in x';
  return undefined;
}

/** The float64 reference curve of any activation at xs (see curveCaption for vector and loss). */
export function referenceCurve(act: Activation, x: Float64Array): Curve {
  const f = new Float64Array(x.length);
  const df = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (act.kind === 'elementwise') {
      f[i] = act.forward(v);
      df[i] = act.derivative(v);
    } else if (act.kind === 'vector') {
      f[i] = act.forward([v, 0])[0]!;
      df[i] = act.backward([v, 0], [1, 0])[0]!;
    } else {
      f[i] = act.loss([v, 0], Int32Array.of(0));
      df[i] = act.gradient([v, 0], Int32Array.of(0))[0]!;
    }
  }
  return { x, f, df };
}

/** A named line: solid, or dashed (a derivative). */
export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly dashed?: boolean;
}

export interface FigureOptions {
  readonly title?: string;
  readonly subtitle?: string;
  readonly from: number;
  readonly to: number;
  /** A shaded horizontal band, e.g. the declared output range (infinite ends are clipped). */
  readonly band?: { readonly interval: Interval; readonly label: string };
  readonly width?: number;
  readonly height?: number;
  /** Small multiples: no axis titles, no legend, thinner lines. */
  readonly compact?: boolean;
  /** Legend title (default none). */
  readonly legend?: string;
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Interval ends to four significant digits: [-0.17, ∞). */
export function shortInterval(i: Interval): string {
  const end = (v: number) => (v === Number.POSITIVE_INFINITY ? '∞' : v === Number.NEGATIVE_INFINITY ? '-∞' : String(Number(v.toPrecision(4))));
  return `${i.loClosed ? '[' : '('}${end(i.lo)}, ${end(i.hi)}${i.hiClosed ? ']' : ')'}`;
}

/** A Vega-Lite figure of some curves on [from, to], with axes through the origin. */
export function curvesSpec(series: readonly Series[], options: FigureOptions): TopLevelSpec {
  const values: Array<{ x: number; y: number; series: string }> = [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i]!;
      if (!Number.isFinite(y)) continue; // a gap in the line
      values.push({ x: s.x[i]!, y, series: s.name });
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  if (!(lo <= hi)) [lo, hi] = [-1, 1];
  const pad = Math.max((hi - lo) * 0.06, 1e-3);
  const domain = [lo - pad, hi + pad];
  const dashed = series.filter((s) => s.dashed).map((s) => s.name);
  const compact = options.compact ?? false;
  const layers: object[] = [];
  if (options.band) {
    const { interval } = options.band;
    const y = Math.max(interval.lo, domain[0]!);
    const y2 = Math.min(interval.hi, domain[1]!);
    if (y < y2) {
      layers.push({
        data: { values: [{ y, y2, label: options.band.label }] },
        mark: { type: 'rect', color: '#4c78a8', opacity: 0.08 },
        encoding: { y: { field: 'y', type: 'quantitative' }, y2: { field: 'y2' }, tooltip: { field: 'label' } },
      });
    }
  }
  const rule = { type: 'rule', color: '#999', strokeWidth: 1 };
  layers.push(
    { data: { values: [{}] }, mark: rule, encoding: { y: { datum: 0, type: 'quantitative' } } },
    { data: { values: [{}] }, mark: rule, encoding: { x: { datum: 0, type: 'quantitative' } } },
    {
      data: { values },
      mark: { type: 'line', strokeWidth: compact ? 1.5 : 2.5, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: compact ? null : 'x', scale: { domain: [options.from, options.to], nice: false } },
        y: { field: 'y', type: 'quantitative', title: null, scale: { domain, nice: false, zero: false } },
        color: {
          field: 'series',
          type: 'nominal',
          title: options.legend ?? null,
          scale: { scheme: 'tableau10', domain: series.map((s) => s.name) },
          legend: compact ? null : { orient: 'top-left' },
        },
        ...(dashed.length ? { strokeDash: { condition: { test: `indexof(${JSON.stringify(dashed)}, datum.series) >= 0`, value: [6, 4] }, value: [1, 0] } } : {}),
      },
    },
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: options.width ?? 480,
    height: options.height ?? 300,
    background: 'white',
    padding: compact ? 4 : 12,
    ...(options.title ? { title: { text: options.title, subtitle: options.subtitle ?? '', anchor: 'start', fontSize: compact ? 12 : 16, subtitleFontSize: 12, subtitleColor: '#555' } } : {}),
    config: { axis: { grid: true, gridColor: '#eee', labelFontSize: compact ? 9 : 11, titleFontSize: 12 }, legend: { labelFontSize: 12, titleFontSize: 12 }, font: FONT, view: { stroke: null } },
    layer: layers,
  } as TopLevelSpec;
}

/** Name and parameters: 'Leaky ReLU (negativeSlope = 0.2)'. */
export function displayName(act: Activation): string {
  const params = Object.entries(act.params).filter(([k]) => k !== 'rowLength');
  return `${act.docs.name}${params.length ? ` (${params.map(([k, v]) => `${k} = ${v}`).join(', ')})` : ''}`;
}

/** The textbook figure of one activation: f solid, f′ dashed, the declared range shaded. */
export function activationSpec(act: Activation, from: number, to: number, options: Partial<FigureOptions> & { curve?: Curve } = {}): TopLevelSpec {
  const curve = options.curve ?? referenceCurve(act, grid(from, to));
  const derivative = act.bounds.derivative ? `, f′ in ${shortInterval(act.bounds.derivative)}` : '';
  return curvesSpec(
    [
      { name: 'f(x)', x: curve.x, y: curve.f },
      { name: 'f′(x)', x: curve.x, y: curve.df, dashed: true },
    ],
    {
      title: `${displayName(act)}: f and f′`,
      subtitle: curveCaption(act) ?? `f in ${shortInterval(act.bounds.output)}${derivative}`,
      band: { interval: act.bounds.output, label: `declared range ${shortInterval(act.bounds.output)}` },
      ...options,
      from,
      to,
    },
  );
}

/** Several activations (or their derivatives) on one set of axes. */
export function comparisonSpec(acts: readonly Activation[], from: number, to: number, op: 'forward' | 'derivative', options: Partial<FigureOptions> = {}): TopLevelSpec {
  const x = grid(from, to);
  const series = acts.map((a) => {
    const c = referenceCurve(a, x);
    return { name: a.id, x, y: op === 'forward' ? c.f : c.df };
  });
  return curvesSpec(series, {
    title: op === 'forward' ? 'Activation functions' : 'Their derivatives',
    subtitle: acts.map((a) => a.docs.name).join(', '),
    legend: op === 'forward' ? 'f(x)' : 'f′(x)',
    ...options,
    from,
    to,
  });
}
