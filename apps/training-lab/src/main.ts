/** The training lab page: controls, experiments, runs trained live, and their charts. */
import '@activations/web-ui/base.css';
import './style.css';
import { type Backend, createRegistry } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { wasm } from '@activations/wasm';
import { webgpu } from '@activations/webgpu';
import { fillBackendPicker, h } from '@activations/web-ui';
import { zoo } from '@activations/zoo';
import { boundarySpec, historySpec, LiveChart, layerBarsSpec } from './charts.js';
import { DATASETS, type DatasetId } from './datasets.js';
import { Lab, type RunState } from './lab.js';
import type { NetworkConfig } from './network.js';
import { EXPERIMENTS, type Experiment } from './presets.js';

// a software WebGPU adapter is reported but not chosen: many tiny dispatches per step are faster on wasm
const registry = createRegistry({ activations: zoo, backends: [webgpu(), wasm(), cpuJs()] });
const GRID = 36;
const root = document.getElementById('app')!;
const select = document.getElementById('backend') as HTMLSelectElement;

interface Hooks {
  rendered: number;
  runs: Array<{
    label: string;
    step: number;
    loss: number;
    accuracy: number;
    gradientNorms: readonly number[];
    dead: readonly number[];
    meanFirstGradient: number;
  }>;
  verdict: string;
}
const hooks: Hooks = { rendered: 0, runs: [], verdict: '' };
(globalThis as { __app?: Hooks }).__app = hooks;

const custom = {
  dataset: 'moons' as DatasetId,
  layers: 3,
  width: 8,
  activation: 'tanh',
  init: 'xavier' as 'xavier' | 'he',
  learningRate: 0.3,
};
let experiment: Experiment | undefined = EXPERIMENTS[0];
let lab: Lab | undefined;
let backend: Backend;
let target = 0;
let running = false;
let charts: Array<{
  run: RunState;
  boundary: LiveChart;
  gradients?: LiveChart;
  dead?: LiveChart;
  stats: HTMLElement;
}> = [];
let lossChart: LiveChart | undefined;

const status = h('p', { class: 'status', 'data-testid': 'status' });
const verdict = h('p', { class: 'verdict', 'data-testid': 'verdict' });
const lesson = h('p', { class: 'lesson', 'data-testid': 'lesson' });
const runsBox = h('div', { class: 'runs' });
const lossBox = h('div', { class: 'loss' });

function numberInput(
  label: string,
  value: number,
  min: number,
  max: number,
  step: number,
  set: (v: number) => void,
): HTMLElement {
  const input = h('input', {
    type: 'number',
    value: String(value),
    min: String(min),
    max: String(max),
    step: String(step),
    'data-testid': `custom-${label}`,
  });
  input.addEventListener('change', () => {
    const v = Number(input.value);
    if (v >= min && v <= max) {
      set(v);
      void reset();
    } else input.value = String(value);
  });
  return h('label', {}, `${label} `, input);
}

function selectInput(
  label: string,
  options: Array<[string, string]>,
  value: string,
  set: (v: string) => void,
): HTMLElement {
  const s = h(
    'select',
    { 'data-testid': `custom-${label}` },
    ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  s.addEventListener('change', () => {
    set(s.value);
    void reset();
  });
  return h('label', {}, `${label} `, s);
}

function controls(): HTMLElement {
  const elementwise = registry
    .activations()
    .filter((a) => a.kind === 'elementwise')
    .map((a) => [a.id, a.docs.name] as [string, string]);
  const presetButtons = [
    ...EXPERIMENTS.map((e) => [e.id, e.title] as const),
    ['custom', 'Your own network'] as const,
  ].map(([id, title]) =>
    h(
      'button',
      {
        type: 'button',
        class: (experiment?.id ?? 'custom') === id ? 'active' : '',
        'data-testid': `experiment-${id}`,
        onClick: () => {
          experiment = EXPERIMENTS.find((e) => e.id === id);
          void reset();
        },
      },
      title,
    ),
  );
  const own = experiment
    ? h('div')
    : h(
        'div',
        { class: 'own' },
        selectInput('dataset', Object.entries(DATASETS), custom.dataset, (v) => {
          custom.dataset = v as DatasetId;
        }),
        numberInput('layers', custom.layers, 1, 20, 1, (v) => {
          custom.layers = v;
        }),
        numberInput('width', custom.width, 1, 32, 1, (v) => {
          custom.width = v;
        }),
        selectInput('activation', elementwise, custom.activation, (v) => {
          custom.activation = v;
        }),
        selectInput(
          'init',
          [
            ['xavier', 'Xavier (Glorot)'],
            ['he', 'He (Kaiming)'],
          ],
          custom.init,
          (v) => {
            custom.init = v as 'xavier' | 'he';
          },
        ),
        numberInput('learning-rate', custom.learningRate, 0.0001, 10, 0.01, (v) => {
          custom.learningRate = v;
        }),
      );
  const steps = experiment?.steps ?? 300;
  return h(
    'section',
    { class: 'controls' },
    h('div', { class: 'experiments' }, ...presetButtons),
    own,
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'train',
          onClick: () => {
            running = !running;
            target = running ? Number.POSITIVE_INFINITY : 0;
            if (running) void loop();
          },
        },
        'train / pause',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'run-steps',
          onClick: () => {
            target = (lab?.step ?? 0) + steps;
            running = true;
            void loop();
          },
        },
        `train ${steps} steps`,
      ),
      h('button', { type: 'button', 'data-testid': 'reset', onClick: () => void reset() }, 'reset'),
    ),
  );
}

function runsOf(): { datasetId: DatasetId; runs: Array<{ label: string; config: NetworkConfig }> } {
  if (experiment) return { datasetId: experiment.dataset, runs: [...experiment.runs] };
  const config: NetworkConfig = {
    layers: custom.layers,
    width: custom.width,
    activation: custom.activation,
    init: custom.init,
    learningRate: custom.learningRate,
    seed: 1,
  };
  return {
    datasetId: custom.dataset,
    runs: [{ label: `${custom.layers} layers × ${custom.width}, ${custom.activation}`, config }],
  };
}

async function reset(): Promise<void> {
  running = false;
  target = 0;
  for (const c of charts) {
    c.boundary.finalize();
    c.gradients?.finalize();
    c.dead?.finalize();
  }
  lossChart?.finalize();
  const choice = await registry.selectBackend(select.value === 'auto' ? 'auto' : [select.value]);
  backend = choice.backend;
  const { datasetId, runs } = runsOf();
  try {
    lab = new Lab(registry, backend, datasetId, runs, experiment);
  } catch (error) {
    root.replaceChildren(
      controls(),
      h(
        'p',
        { class: 'error', role: 'alert' },
        error instanceof Error ? error.message : String(error),
      ),
    );
    return;
  }
  lesson.textContent = experiment
    ? experiment.lesson
    : 'Pick a dataset, a depth, an activation and an initialisation, then train.';
  runsBox.replaceChildren();
  charts = lab.runs.map((run, i) => {
    const boundaryBox = h('div');
    const gradientBox = h('div');
    const deadBox = h('div');
    const stats = h('p', { class: 'stats', 'data-testid': `run-${i}-stats` });
    runsBox.append(
      h(
        'article',
        { class: 'run', 'data-testid': `run-${i}` },
        h('h3', {}, run.label),
        stats,
        boundaryBox,
        gradientBox,
        deadBox,
      ),
    );
    const perceptron = run.network.config.rule === 'perceptron';
    if (perceptron)
      gradientBox.append(
        h(
          'p',
          { class: 'stats' },
          'The perceptron rule uses no gradient: it moves the line towards each misclassified point.',
        ),
      );
    return {
      run,
      stats,
      boundary: new LiveChart(boundaryBox, boundarySpec(lab!.data)),
      ...(perceptron
        ? {}
        : {
            gradients: new LiveChart(
              gradientBox,
              historySpec('gradient norm per layer', '‖∂L/∂W‖', {
                log: true,
                legend: 'layer',
                width: 210,
              }),
            ),
          }),
      ...(run.network.config.layers > 1 && !perceptron
        ? { dead: new LiveChart(deadBox, layerBarsSpec('dead units (f′ = 0 on every point)')) }
        : {}),
    };
  });
  lossChart = new LiveChart(
    lossBox,
    historySpec('loss (softmax cross-entropy; the perceptron: its error rate)', 'loss', {
      log: true,
      width: 520,
      height: 170,
      legend: 'run',
    }),
  );
  root.replaceChildren(
    controls(),
    lesson,
    h('div', { class: 'summary' }, status, verdict),
    lossBox,
    runsBox,
  );
  await refresh();
}

/** Every point of a history would be too many to draw: at most ~300 per series. */
function thin<T>(history: readonly T[]): Array<[number, T]> {
  const every = Math.max(1, Math.ceil(history.length / 300));
  return history.flatMap((h, i) =>
    i % every === 0 || i === history.length - 1 ? [[i, h] as [number, T]] : [],
  );
}

async function refresh(): Promise<void> {
  if (!lab) return;
  const { data } = lab;
  const cell = (2 * data.extent) / GRID;
  const gridX = new Float32Array(2 * GRID * GRID);
  for (let i = 0; i < GRID; i++)
    for (let j = 0; j < GRID; j++)
      gridX.set(
        [-data.extent + (i + 0.5) * cell, -data.extent + (j + 0.5) * cell],
        2 * (i * GRID + j),
      );
  const points = Array.from(data.y, (c, r) => ({ x: data.x[2 * r]!, y: data.x[2 * r + 1]!, c }));
  const positive = (v: number) => (v > 0 && Number.isFinite(v) ? v : undefined);
  for (const c of charts) {
    const p = await c.run.network.predict(gridX);
    const k = data.classes;
    const grid = [];
    for (let g = 0; g < GRID * GRID; g++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (p[g * k + j]! > p[g * k + best]!) best = j;
      const x = gridX[2 * g]!;
      const y = gridX[2 * g + 1]!;
      grid.push({
        x: x - cell / 2,
        x2: x + cell / 2,
        y: y - cell / 2,
        y2: y + cell / 2,
        c: best,
        p: p[g * k + best]!,
      });
    }
    await c.boundary.update({ grid, points });
    const last = c.run.history.at(-1);
    c.stats.textContent = last
      ? `step ${c.run.network.step} · loss ${last.loss.toPrecision(3)} · accuracy ${(100 * last.accuracy).toFixed(1)}%`
      : 'not trained yet';
    await c.gradients?.update({
      history: thin(c.run.history).flatMap(([step, h]) =>
        h.gradientNorms.flatMap((v, l) =>
          positive(v) ? [{ step, value: v, series: `layer ${l + 1}` }] : [],
        ),
      ),
    });
    await c.dead?.update({ bars: (last?.dead ?? []).map((value, l) => ({ layer: l + 1, value })) });
  }
  await lossChart?.update({
    history: lab.runs.flatMap((r) =>
      thin(r.history).flatMap(([step, h]) =>
        positive(h.loss) ? [{ step, value: h.loss, series: r.label }] : [],
      ),
    ),
  });
  status.textContent = `step ${lab.step} on ${lab.data.name} · backend ${select.value === 'auto' ? `auto (${backend.name})` : backend.name}`;
  verdict.textContent = lab.verdict();
  hooks.verdict = verdict.textContent;
  hooks.runs = lab.runs.map((r) => {
    const last = r.history.at(-1);
    return {
      label: r.label,
      step: r.network.step,
      loss: last?.loss ?? Number.NaN,
      accuracy: last?.accuracy ?? Number.NaN,
      gradientNorms: last?.gradientNorms ?? [],
      dead: last?.dead ?? [],
      meanFirstGradient:
        r.history.reduce((s, h) => s + (h.gradientNorms[0] ?? 0), 0) /
        Math.max(1, r.history.length),
    };
  });
  hooks.rendered++;
  document.body.dataset.ready = String(!running);
}

let looping = false;
async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  document.body.dataset.ready = 'false';
  let lastDraw = 0;
  try {
    while (running && lab && lab.step < target) {
      const t0 = performance.now();
      while (lab.step < target && performance.now() - t0 < 30) await lab.train();
      if (lab.step >= target) running = false;
      if (!running || performance.now() - lastDraw > 250) {
        await refresh();
        lastDraw = performance.now();
      }
      await new Promise((r) => requestAnimationFrame(r));
    }
  } finally {
    looping = false;
    running = false;
    await refresh();
  }
}

async function setUpPicker(): Promise<void> {
  await fillBackendPicker(select, document.getElementById('backend-note')!, registry);
  select.addEventListener('change', () => void reset());
}

await setUpPicker();
await reset();
