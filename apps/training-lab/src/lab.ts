/**
 * The lab's model: runs (networks with a label) trained side by side on one dataset, their
 * histories, and what the experiment teaches, measured from those histories.
 */
import type { Backend, Registry } from '@activations/core';
import { type Dataset, type DatasetId, dataset } from './datasets.js';
import { Network, type StepStats } from './network.js';
import type { Experiment, Run } from './presets.js';

export interface RunState {
  readonly label: string;
  readonly network: Network;
  readonly history: StepStats[];
}

export class Lab {
  readonly data: Dataset;
  readonly runs: RunState[];
  readonly experiment: Experiment | undefined;

  constructor(
    registry: Registry,
    backend: Backend,
    datasetId: DatasetId,
    runs: readonly Run[],
    experiment?: Experiment,
  ) {
    this.data = dataset(datasetId);
    this.runs = runs.map((r) => ({
      label: r.label,
      network: new Network(registry, backend, r.config, this.data.classes),
      history: [],
    }));
    this.experiment = experiment;
  }

  get step(): number {
    return this.runs[0]?.network.step ?? 0;
  }

  /** One step of every run. */
  async train(): Promise<void> {
    for (const run of this.runs) run.history.push(await run.network.train(this.data));
  }

  /** The experiment's measured outcome, in a sentence. */
  verdict(): string {
    const last = (r: RunState) => r.history.at(-1);
    if (!this.experiment || !this.runs.every(last)) return '';
    const percent = (v: number) => `${(100 * v).toFixed(v === 1 || v === 0 ? 0 : 1)}%`;
    if (this.experiment.id === 'xor')
      return this.runs
        .map((r) => `${r.label}: ${percent(last(r)!.accuracy)} of XOR right`)
        .join(' · ');
    if (this.experiment.id === 'vanishing') {
      const mean = (r: RunState) =>
        r.history.reduce((s, h) => s + (h.gradientNorms[0] ?? 0), 0) / r.history.length;
      const [a, b] = this.runs.map(mean) as [number, number];
      return `mean first-layer gradient norm: ${this.runs[0]!.label} ${a.toExponential(1)}, ${this.runs[1]!.label} ${b.toExponential(1)} — ${(b / a).toExponential(1)}× smaller with sigmoid`;
    }
    if (this.experiment.id === 'dying') {
      return this.runs
        .map((r) => `${r.label}: ${percent(Math.max(0, ...last(r)!.dead))} dead in its worst layer`)
        .join(' · ');
    }
    return '';
  }
}
