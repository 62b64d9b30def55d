/** Text output helpers shared by the commands. */

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** One-line plot of f over [lo, hi], scaled to its own min and max. */
export function sparkline(f: (x: number) => number, lo: number, hi: number, width = 48): string {
  const ys = Array.from({ length: width }, (_, i) => f(lo + ((hi - lo) * i) / (width - 1)));
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  return ys.map((y) => BLOCKS[max === min ? 4 : Math.round(((y - min) / (max - min)) * 8)]).join('');
}

/** Six significant digits, exponent form for tiny magnitudes. */
export function formatNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return Math.abs(v) < 1e-3 ? v.toExponential(5) : String(Number(v.toPrecision(6)));
}

/** Rows of cells as aligned columns (the first row is the header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

/** At most `width` characters, with an ellipsis when cut. */
export function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
