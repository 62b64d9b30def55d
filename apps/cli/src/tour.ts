/**
 * `activations tour`: a short walk through the library on whatever this machine has: the
 * catalogue, the backends the registry found (and why others were skipped), exact values where
 * other libraries lose digits, a user-defined activation, and terminal plots.
 */
import { defineActivation, type ElementwiseActivation, formatInterval, toText } from '@activations/core';
import { resolve } from 'node:path';
import { writeFigures } from './chart.js';
import { formatNumber, sparkline, table } from './format.js';
import { defaultRegistry } from './registry.js';

/** Runs the tour, writing lines through `print` and figures into `plotsDir`. */
export async function tour(
  print: (line: string) => void = console.log,
  registry = defaultRegistry(),
  plotsDir = resolve(process.env.INIT_CWD ?? process.cwd(), 'activation-plots'),
): Promise<void> {
  print('activations — neural-network activation functions, defined once, run on every backend\n');

  const catalogue = registry.activations();
  print(`1. The catalogue: ${catalogue.length} activations (id, range, derivative range, properties)\n`);
  const rows = [['id', 'kind', 'output', "f'", 'monotonic', 'continuity', 'saturates', 'dead zone']];
  for (const a of catalogue) {
    rows.push([
      a.id,
      a.kind,
      formatInterval(a.bounds.output),
      a.bounds.derivative ? formatInterval(a.bounds.derivative) : '—',
      a.properties.monotonic ? 'yes' : 'no',
      a.properties.continuity,
      a.properties.saturates,
      a.properties.zeroGradient,
    ]);
  }
  print(table(rows));

  print('\n2. Backends (the registry picks the highest priority that initialises)\n');
  for (const status of await registry.backendStatus()) {
    print(`   ${status.available ? '✓' : '✗'} ${status.name} (priority ${status.priority})${status.reason ? ` — skipped: ${status.reason}` : ''}`);
  }
  const choice = await registry.selectBackend('auto');
  print(`   'auto' chose ${choice.name}`);

  print('\n3. Exact where others lose digits (float32 results from the chosen backend)\n');
  const xs = Float32Array.of(-13, -5, -1, 0, 1, Number.NEGATIVE_INFINITY);
  for (const id of ['gelu', 'silu', 'mish']) {
    const act = registry.activation(id);
    const y = await choice.backend.forward(act, xs);
    print(`   ${id.padEnd(5)} at ${[...xs].join(', ')}:\n         ${[...y].map(formatNumber).join(', ')}`);
  }
  print('   (tfjs and onnxruntime return 0 for gelu on [-13, -4] and NaN at -∞)');

  print("\n4. Your own activation from text: 'x * sigmoid(1.702 * x)'\n");
  const quickGelu = defineActivation({ id: 'quick-gelu', forward: 'x * sigmoid(1.702 * x)' }).create();
  print(`   derivative (symbolic): ${toText(quickGelu.expressions.derivative)}`);
  print(`   output range (interval arithmetic): ${formatInterval(quickGelu.bounds.output)}`);
  print(`   properties: monotonic=${quickGelu.properties.monotonic}, ${quickGelu.properties.continuity}, saturates ${quickGelu.properties.saturates}`);
  const y = await choice.backend.forward(quickGelu, Float32Array.of(-2, 0, 2));
  print(`   on ${choice.name}: f(-2, 0, 2) = ${[...y].map(formatNumber).join(', ')}`);

  print('\n5. Function and derivative on [-6, 6]\n');
  for (const id of ['sigmoid', 'tanh', 'relu', 'gelu', 'mish']) {
    const act = registry.activation(id) as ElementwiseActivation;
    print(`   ${id.padEnd(8)} f  ${sparkline(act.forward, -6, 6)}`);
    print(`   ${''.padEnd(8)} f' ${sparkline(act.derivative, -6, 6)}`);
  }
  print("\n   sigmoid's derivative peaks at 0.25 and vanishes in both tails: stack ten sigmoid layers and the");
  print("   first layer's gradient shrinks by at least 4^10 ≈ 10^6. ReLU's derivative is exactly 1 where active.");

  print('\n6. Figures (SVG: each function with its derivative, and a comparison)\n');
  const plotted = ['sigmoid', 'tanh', 'relu', 'gelu'].map((id) => registry.activation(id) as ElementwiseActivation);
  for (const file of await writeFigures(plotted, plotsDir, { from: -6, to: 6 })) print(`   wrote ${file}`);

  print('\n7. More\n');
  print('   pnpm activations plot silu mish --out plots --png  # your own figures (SVG, PNG)');
  print('   pnpm activations show gelu                          # formula, ranges, properties, values, typical use');
  print('   pnpm activations wgsl mish / js mish                # source for your own shaders or code');
  print('   pnpm bench                                          # every backend and installed peer, side by side');
  print('   pnpm explorer                                       # the web explorer at http://127.0.0.1:5173');
  print('   pnpm lab                                            # the training lab at http://127.0.0.1:5174');
  print('\nNext: pnpm test runs every test.');
}
