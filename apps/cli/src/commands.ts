/**
 * The commands of `activations`: list, show, plot, wgsl, js, bench, tour. Each takes its
 * arguments and an output sink and returns when done; errors are thrown (typed) for the caller
 * to print.
 */
import { resolve } from 'node:path';
import {
  type Activation,
  type ElementwiseActivation,
  formatInterval,
  type Registry,
  toText,
  UnsupportedOperationError,
} from '@activations/core';
import { toJS } from '@activations/cpu-js';
import { toWGSL } from '@activations/webgpu';
import { numberOption, paramOptions, parse, UsageError } from './args.js';
import { writeFigures } from './chart.js';
import { clip, formatNumber, sparkline, table } from './format.js';
import { tour } from './tour.js';

/** Where commands write: lines of text, and progress that is not part of the result. */
export interface Output {
  print(line: string): void;
  progress(line: string): void;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  run(argv: readonly string[], registry: Registry, out: Output): Promise<void>;
}

/** The activation named by the first positional argument, with --param / --preset applied. */
function activationOf(registry: Registry, id: string | undefined, params?: readonly string[], preset?: string): Activation {
  if (id === undefined) throw new UsageError('which activation? Give its id (activations list shows them)');
  if (preset !== undefined && params?.length) throw new UsageError('give --preset or --param, not both');
  return registry.activation(id, preset ?? paramOptions(params));
}

function elementwise(act: Activation, what: string): ElementwiseActivation {
  if (act.kind !== 'elementwise') {
    throw new UnsupportedOperationError(`${act.id} acts on whole rows (${act.kind}); ${what} is for elementwise activations`);
  }
  return act;
}

const yesNo = (v: boolean) => (v ? 'yes' : 'no');
const PARAM_OPTIONS = { param: { type: 'string', multiple: true }, preset: { type: 'string' } } as const;

const list: Command = {
  usage: 'list [--json]',
  summary: 'the catalogue: id, output range, properties, typical use',
  async run(argv, registry, out) {
    const { values } = parse(argv, { json: { type: 'boolean' } });
    const all = registry.activations();
    if (values.json) {
      out.print(JSON.stringify(all.map((a) => ({ id: a.id, aliases: a.aliases, kind: a.kind, name: a.docs.name, output: formatInterval(a.bounds.output), properties: a.properties, useCases: a.docs.useCases, params: Object.keys(a.params), presets: Object.keys(a.presets) })), null, 2));
      return;
    }
    const rows = [['id', 'name', 'output', 'monotonic', 'smooth', 'zero-centred', 'saturates', 'dead zone', 'typical use']];
    for (const a of all) {
      rows.push([
        a.id,
        a.docs.name,
        formatInterval(a.bounds.output),
        yesNo(a.properties.monotonic),
        a.properties.continuity,
        yesNo(a.properties.zeroCentered),
        a.properties.saturates,
        a.properties.zeroGradient,
        clip(a.docs.useCases.join('; '), 40),
      ]);
    }
    out.print(table(rows));
    out.print(`\n${all.length} activations. activations show <id> for one of them.`);
  },
};

const SHOW_POINTS = [-3, -1, -0.5, 0, 0.5, 1, 3];

const show: Command = {
  usage: 'show <id> [--param name=value]... [--preset name] [--json]',
  summary: 'one activation: formula, derivative, ranges, properties, values, use',
  async run(argv, registry, out) {
    const { values, positionals } = parse(argv, { ...PARAM_OPTIONS, json: { type: 'boolean' } });
    const act = activationOf(registry, positionals[0], values.param, values.preset);
    const { docs, bounds, properties } = act;
    const points = act.kind === 'elementwise' ? SHOW_POINTS.map((x) => ({ x, f: act.forward(x), df: act.derivative(x) })) : [];
    if (values.json) {
      out.print(JSON.stringify({ id: act.id, key: act.key, kind: act.kind, name: docs.name, params: act.params, formula: docs.formula, derivativeFormula: docs.derivativeFormula, output: formatInterval(bounds.output), derivative: bounds.derivative && formatInterval(bounds.derivative), properties, useCases: docs.useCases, pros: docs.pros, cons: docs.cons, points }, null, 2));
      return;
    }
    out.print(`${docs.name} (${act.id}${act.aliases.length ? `; also ${act.aliases.join(', ')}` : ''})`);
    if (Object.keys(act.params).length) out.print(`parameters: ${Object.entries(act.params).map(([k, v]) => `${k} = ${v}`).join(', ')}`);
    out.print('');
    out.print(docs.description);
    out.print('');
    if (act.kind === 'elementwise') {
      out.print(`f(x)  = ${toText(act.expressions.forward)}`);
      out.print(`f'(x) = ${toText(act.expressions.derivative)}`);
    }
    out.print(`LaTeX: ${docs.formula}`);
    out.print(`output range: ${formatInterval(bounds.output)}${bounds.derivative ? `; derivative range: ${formatInterval(bounds.derivative)}` : ''}`);
    out.print(`monotonic: ${yesNo(properties.monotonic)}; ${properties.continuity}; zero-centred: ${yesNo(properties.zeroCentered)}; saturates: ${properties.saturates}; dead zone (zero gradient): ${properties.zeroGradient}${properties.selfNormalizing ? '; self-normalizing' : ''}`);
    if (points.length) {
      out.print('');
      out.print(table([['x', ...points.map((p) => String(p.x))], ['f(x)', ...points.map((p) => formatNumber(p.f))], ["f'(x)", ...points.map((p) => formatNumber(p.df))]]));
      const e = act as ElementwiseActivation;
      out.print(`\nf  on [-6, 6]  ${sparkline(e.forward, -6, 6)}\nf' on [-6, 6]  ${sparkline(e.derivative, -6, 6)}`);
    }
    const section = (title: string, items: readonly string[]) => {
      if (items.length) out.print(`\n${title}:\n${items.map((i) => `  - ${i}`).join('\n')}`);
    };
    section('typical use', docs.useCases);
    section('pros', docs.pros);
    section('cons', docs.cons);
    section('framework conventions', docs.conventions);
    const presets = Object.entries(act.definition.presets);
    if (presets.length) section('presets (--preset)', presets.map(([name, p]) => `${name}: ${p.description}`));
  },
};

const plot: Command = {
  usage: 'plot <id>... [--out DIR] [--from X] [--to X] [--png] [--param name=value]...',
  summary: 'SVG (and PNG) figures of each function and its derivative, plus a comparison',
  async run(argv, registry, out) {
    const { values, positionals } = parse(argv, { out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, png: { type: 'boolean' }, ...PARAM_OPTIONS });
    if (!positionals.length) throw new UsageError('which activations? e.g. activations plot relu gelu --out plots');
    const from = numberOption(values.from, 'from', -6);
    const to = numberOption(values.to, 'to', 6);
    if (!(from < to)) throw new UsageError(`--from (${from}) must be less than --to (${to})`);
    // parameters apply to a single activation only (they differ between activations)
    if ((values.param?.length || values.preset) && positionals.length > 1) throw new UsageError('--param and --preset need a single activation');
    const acts = positionals.map((id) => activationOf(registry, id, values.param, values.preset));
    // relative to where the user ran the command (pnpm runs scripts in the package's directory)
    const dir = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? 'activation-plots');
    const files = await writeFigures(acts, dir, { from, to, png: values.png, progress: (line) => out.progress(line) });
    for (const file of files) out.print(file);
  },
};

function sourceCommand(language: 'WGSL' | 'JavaScript'): Command {
  return {
    usage: `${language === 'WGSL' ? 'wgsl' : 'js'} <id> [--derivative] [--param name=value]... [--preset name]${language === 'WGSL' ? ' [--double-float]' : ''}`,
    summary: `${language} source of f (or f') for your own ${language === 'WGSL' ? 'shaders' : 'code'}`,
    async run(argv, registry, out) {
      const { values, positionals } = parse(argv, { derivative: { type: 'boolean' }, 'double-float': { type: 'boolean' }, ...PARAM_OPTIONS });
      if (language === 'JavaScript' && values['double-float']) throw new UsageError('--double-float is a WGSL option');
      const act = elementwise(activationOf(registry, positionals[0], values.param, values.preset), 'source export');
      const op = values.derivative ? 'derivative' : 'forward';
      out.print(language === 'WGSL' ? toWGSL(act, op, { precision: values['double-float'] ? 'df32' : 'f32' }) : toJS(act, op));
    },
  };
}

const bench: Command = {
  usage: 'bench [--n 65536[,N]...] [--only id[,id]...] [--no-peers] [--json]',
  summary: 'throughput of every backend and installed peer, side by side',
  async run(argv, _registry, out) {
    const { values } = parse(argv, { n: { type: 'string' }, only: { type: 'string' }, 'no-peers': { type: 'boolean' }, json: { type: 'boolean' } });
    const { BENCH_ACTIVATIONS, formatBench, runBench } = await import('@activations/bench');
    const sizes = values.n?.split(',').map((v) => numberOption(v, 'n', 0));
    const only = values.only?.split(',');
    for (const id of only ?? []) {
      if (!BENCH_ACTIVATIONS.includes(id)) throw new UsageError(`bench has no plain-JS loop for '${id}'; choose from ${BENCH_ACTIVATIONS.join(', ')}`);
    }
    for (const n of sizes ?? []) if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`--n takes whole numbers of elements, got ${n}`);
    const result = await runBench({ sizes, only, peers: !values['no-peers'], progress: (message, done, total) => out.progress(`[${done + 1}/${total}] measuring ${message} …`) });
    out.print(values.json ? JSON.stringify(result, null, 2) : formatBench(result));
  },
};

const tourCommand: Command = {
  usage: 'tour',
  summary: 'a short tour: catalogue, backends found, exact values, plots',
  async run(argv, registry, out) {
    parse(argv, {});
    await tour((line) => out.print(line), registry);
  },
};

export const COMMANDS: Readonly<Record<string, Command>> = {
  list,
  show,
  plot,
  wgsl: sourceCommand('WGSL'),
  js: sourceCommand('JavaScript'),
  bench,
  tour: tourCommand,
};
