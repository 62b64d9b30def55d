import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@activations/core';
import { createRegistry } from '@activations/core';
import { cpuJs } from '@activations/cpu-js';
import { zoo } from '@activations/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';

/** Runs a command line in-process (cpu-js only: fast and deterministic) and captures its output. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
  const code = await main(argv, { print: (l) => out.push(l), error: (l) => err.push(l), progress: (l) => progress.push(l) }, registry);
  return { code, out: out.join('\n'), err: err.join('\n'), progress };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'activations-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('activations', () => {
  it('prints usage with every command, and exits 2 with a suggestion for an unknown one', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const c of ['list', 'show', 'plot', 'wgsl', 'js', 'bench', 'tour']) expect(help.out).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    const typo = await run('plto', 'relu');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown command 'plto' \(did you mean 'plot'\?\)/);
    expect((await run('show', '--help')).out).toMatch(/^usage: activations show <id>/);
  });

  it('list: the whole catalogue as a table and as JSON', async () => {
    const { code, out } = await run('list');
    expect(code).toBe(0);
    for (const d of zoo) expect(out).toMatch(new RegExp(`^${d.id}\\s`, 'm'));
    expect(out).toMatch(/^sigmoid\s+Sigmoid\s+\(0, 1\)\s+yes\s+smooth\s+no\s+both\s+none/m);
    const json = JSON.parse((await run('list', '--json')).out) as Array<{ id: string; output: string }>;
    expect(json).toHaveLength(zoo.length);
    expect(json.find((a) => a.id === 'relu')?.output).toBe('[0, ∞)');
  });

  it('show: formula, ranges, properties, values at a few points, use; parameters and presets', async () => {
    const { code, out } = await run('show', 'gelu');
    expect(code).toBe(0);
    expect(out).toMatch(/^GELU \(gelu/);
    expect(out).toMatch(/output range: \[-0\.16997120747990366, ∞\)/);
    expect(out).toMatch(/^f\(x\)\s+-0\.00404969\s+-0\.158655\s+-0\.154269\s+0\s+0\.345731\s+0\.841345\s+2\.99595$/m);
    expect(out).toMatch(/typical use:\n {2}- /);
    const leaky = await run('show', 'leaky-relu', '--param', 'negativeSlope=0.2');
    expect(leaky.out).toMatch(/^f\(x\)\s+-0\.6\s+-0\.2/m);
    const preset = JSON.parse((await run('show', 'leaky-relu', '--preset', 'keras', '--json')).out) as { params: Record<string, number> };
    expect(preset.params.negativeSlope).toBe(0.3);
  });

  it('show: unknown ids, options and parameters exit 2 and say what to do', async () => {
    const unknown = await run('show', 'gelu-tanx');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown activation 'gelu-tanx'\. Did you mean .*'gelu-tanh'/);
    const none = await run('show');
    expect([none.code, none.err]).toEqual([2, expect.stringMatching(/which activation\?/)]);
    const option = await run('show', 'relu', '--bogus');
    expect([option.code, option.err]).toEqual([2, expect.stringMatching(/unknown option '--bogus'\nusage: activations show/)]);
    const value = await run('show', 'leaky-relu', '--param', 'negativeSlope=abc');
    expect([value.code, value.err]).toEqual([2, expect.stringMatching(/--param takes name=number/)]);
    const name = await run('show', 'leaky-relu', '--param', 'slope=1');
    expect([name.code, name.err]).toEqual([2, expect.stringMatching(/takes 'negativeSlope'/)]);
    const preset = await run('show', 'leaky-relu', '--preset', 'caffe');
    expect(preset.code).toBe(2);
  });

  it('plot: an SVG and a PNG per activation (f and f′) and comparisons, with progress', async () => {
    const out = join(dir, 'plots');
    const softmax = await run('plot', 'softmax', '--out', join(dir, 'softmax'));
    expect(softmax.code).toBe(0);
    expect(await readFile(join(dir, 'softmax', 'softmax.svg'), 'utf8')).toContain('softmax([x, 0]) first output');
    const { code, progress } = await run('plot', 'relu', 'gelu', '--out', out, '--png', '--from', '-4', '--to', '4');
    expect(code).toBe(0);
    expect(progress).toEqual(['plotting relu (1/2) …', 'plotting gelu (2/2) …']);
    const expected = ['comparison', 'comparison-derivatives', 'gelu', 'relu'].flatMap((n) => [`${n}.png`, `${n}.svg`]);
    expect((await readdir(out)).sort()).toEqual(expected.sort());
    const svg = await readFile(join(out, 'gelu.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('GELU: f and f′');
    expect(svg).toContain('f′(x)'); // legend
    expect(svg.match(/<path[^>]+d="M[^"]{500,}/g)?.length).toBeGreaterThanOrEqual(2); // two long curves
    const png = await readFile(join(out, 'gelu.png'));
    expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(800); // width, drawn at twice the SVG's size
  });

  it('plot: rejects bad ranges and missing ids', async () => {
    expect((await run('plot', 'relu', '--from', '3', '--to', '1', '--out', dir)).err).toMatch(/--from \(3\) must be less than --to \(1\)/);
    expect((await run('plot', 'relu', '--from', 'x', '--out', dir)).err).toMatch(/--from must be a finite number/);
    expect((await run('plot')).code).toBe(2);
  });

  it('wgsl: the function for your own shader, float32 or double-float, f or f′', async () => {
    const f = await run('wgsl', 'gelu');
    expect(f.out).toMatch(/^fn gelu\(x: f32\) -> f32 \{/m);
    expect((await run('wgsl', 'gelu', '--derivative')).out).toMatch(/^fn gelu_derivative\(x: f32\) -> f32 \{/m);
    expect((await run('wgsl', 'silu', '--derivative', '--double-float')).out).toContain('act_dmul(');
    expect((await run('wgsl', 'gelu', '--double-float')).out).not.toBe(f.out);
  });

  it('every command refuses unknown options and ids with status 2 and says what to do', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['list', '--wide'], /unknown option '--wide'\nusage: activations list/],
      [['tour', '--fast'], /unknown option '--fast'\nusage: activations tour/],
      [['wgsl', 'mihs'], /Unknown activation 'mihs'\. Did you mean .*'mish'/],
      [['js', 'softmax'], /softmax acts on whole rows \(vector\); source export is for elementwise activations/],
      [['js', 'gelu', '--double-float'], /--double-float is a WGSL option/],
      [['plot', 'relu', 'gelu', '--param', 'alpha=1'], /--param and --preset need a single activation/],
      [['bench', '--json', '--n'], /--n/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await run(...argv);
      expect([code, err], argv.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
  });

  it('js: source that computes the activation when evaluated', async () => {
    for (const [id, op] of [['mish', 'forward'], ['gelu', 'derivative'], ['elu', 'forward']] as const) {
      const { code, out } = await run('js', id, ...(op === 'derivative' ? ['--derivative'] : []));
      expect(code).toBe(0);
      const name = /export function (\w+)\(/.exec(out)![1]!;
      // helpers the source imports from @activations/core (e.g. erfc) are passed in
      const imports = [...out.matchAll(/^import \{ (\w+) as (\w+) \} from '@activations\/core';$/gm)];
      const body = `${out.replace(/^import .*$/gm, '').replace(/export /g, '')}\nreturn ${name};`;
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the helpers the generated source names
      const fn = new Function(...imports.map((m) => m[2]!), body)(...imports.map((m) => core[m[1] as keyof typeof core])) as (x: number) => number;
      const act = createRegistry({ activations: zoo }).activation(id);
      if (act.kind !== 'elementwise') throw new Error('elementwise expected');
      for (const x of [-20, -3, -0.5, 0, 0.5, 3, 20]) {
        const expected = op === 'forward' ? act.forward(x) : act.derivative(x);
        expect(Math.abs(fn(x) - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('bench: measures the backends with progress, as a table or JSON; bad ids exit 2', async () => {
    const { code, out, progress } = await run('bench', '--n', '1024', '--only', 'relu', '--no-peers', '--json');
    expect(code).toBe(0);
    expect(progress[0]).toMatch(/^\[1\/\d+\] measuring relu at N = 1024 …$/);
    const result = JSON.parse(out) as { rows: Array<{ activation: string; melemPerSecond: Record<string, number> }> };
    expect(result.rows.map((r) => r.activation)).toEqual(['relu']);
    for (const c of ['plain JS', 'cpu-js', 'wasm']) expect(result.rows[0]!.melemPerSecond[c]).toBeGreaterThan(0);
    const bad = await run('bench', '--only', 'relu,foo');
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/no plain-JS loop for 'foo'/)]);
    expect((await run('bench', '--n', '1.5')).code).toBe(2);
  }, 120_000);
});
