import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sparkline } from './format.js';
import { defaultRegistry } from './registry.js';
import { tour } from './tour.js';

describe('tour', () => {
  it('shows the catalogue, the backends (found or skipped, with the reason), exact tails and a custom activation', async () => {
    const lines: string[] = [];
    const registry = defaultRegistry();
    const dir = await mkdtemp(join(tmpdir(), 'activations-tour-'));
    await tour((line) => lines.push(line), registry, dir);
    expect((await readdir(dir)).sort()).toEqual(['comparison-derivatives.svg', 'comparison.svg', 'gelu.svg', 'relu.svg', 'sigmoid.svg', 'tanh.svg']);
    await rm(dir, { recursive: true });
    registry.dispose();
    const text = lines.join('\n');
    expect(text).toMatch(/1\. The catalogue: 34 activations/);
    expect(text).toMatch(/gelu\s+elementwise\s+\[-0\.16997120747990366, ∞\)/);
    expect(text).toMatch(/[✓✗] webgpu \(priority 20\)/);
    expect(text).toMatch(/✓ wasm \(priority 10\)/);
    expect(text).toMatch(/✓ cpu-js \(priority 0\)/);
    expect(text).toMatch(/'auto' chose (wasm|webgpu)/);
    expect(text).toMatch(/-7\.95231e-38/); // gelu(-13), which peers round to 0
    expect(text).toMatch(/sigmoid\(-1\.702 \* x\)/);
    expect(text).toMatch(/derivative \(symbolic\): sigmoid\(1\.702 \* x\) \+ /);
    expect(text).toMatch(/wrote .*gelu\.svg/);
    expect(text).toMatch(/activations plot silu mish/);
    expect(text.replace(/\(tfjs and onnxruntime.*\)/, '')).not.toMatch(/NaN/); // values only
  });

  it('draws a monotone function as a rising sparkline', () => {
    expect(sparkline((x) => x, 0, 1, 9)).toBe(' ▁▂▃▄▅▆▇█');
  });
});
