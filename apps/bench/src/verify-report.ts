/**
 * `pnpm --filter @activations/bench verify-report -- a.json b.json …`: the JSON reports of
 * `verify --out` as one Markdown table per backend (a job in several reports counts the run that
 * checked the most inputs: a whole run over a sample).
 */
import { readFileSync } from 'node:fs';
import type { Tally } from './verify-check.js';

interface Report {
  readonly backends?: readonly string[];
  readonly backend?: string;
  readonly sample: number;
  readonly seconds: number;
  readonly cpu?: string;
  readonly report: ReadonlyArray<Tally & { job: string; backend?: string }>;
}

const BOUNDS: Record<string, number> = { 'cpu-js': 1, wasm: 3, webgpu: 4 };
const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: verify-report report.json [more.json …]');
  process.exit(2);
}
const rows = new Map<string, Map<string, Tally & { job: string; sample: number }>>();
for (const file of files) {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Report;
  for (const row of r.report) {
    const backend = row.backend ?? r.backend ?? r.backends?.[0] ?? '?';
    if (!rows.has(backend)) rows.set(backend, new Map());
    const seen = rows.get(backend)!.get(row.job);
    if (!seen || row.checked > seen.checked)
      rows.get(backend)!.set(row.job, { ...row, sample: r.sample });
  }
}
const n = (v: number) => v.toLocaleString('en-US');
const g = (v: number | null) => (v === null ? '' : Number(v.toPrecision(7)).toString());
for (const [backend, jobs] of rows) {
  const bound = BOUNDS[backend] ?? 3;
  console.log(`\n### ${backend} (bound ${bound} ULP)\n`);
  console.log(
    '| function · op | sample | inputs | worst ULP | at x | range | NaN/∞ | missed ∞/NaN | ±0 | flushed | subnormal → 0 | > bound |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  let failing = 0;
  for (const t of jobs.values()) {
    const broken =
      t.outsideRange +
      t.badNonFinite +
      t.missedNonFinite +
      t.wrongZeroSign +
      t.flushed +
      t.beyondBound;
    if (broken > 0) failing++;
    console.log(
      `| ${t.job.replaceAll('|', ' · ')} | ${t.sample <= 1 ? 'all' : `1/${t.sample}`} | ${n(t.checked)} | ${t.worstUlps.toFixed(2)} | ${g(t.worstAt)} | ${t.outsideRange} | ${t.badNonFinite} | ${t.missedNonFinite} | ${t.wrongZeroSign} | ${t.flushed} | ${t.subnormalFlushed ?? 0} | ${t.beyondBound} |`,
    );
  }
  console.log(`\n${jobs.size} jobs, ${failing} with a broken promise.`);
}
