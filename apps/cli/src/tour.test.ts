import { describe, expect, it } from 'vitest';
import { sparkline, tour } from './tour.js';

describe('tour', () => {
  it('shows the catalogue, the backends, exact tails and a custom activation', async () => {
    const lines: string[] = [];
    await tour((line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toMatch(/1\. The catalogue: 34 activations/);
    expect(text).toMatch(/gelu\s+elementwise\s+\[-0\.16997120747990366, ∞\)/);
    expect(text).toMatch(/✓ wasm \(priority 10\)/);
    expect(text).toMatch(/✓ cpu-js \(priority 0\)/);
    expect(text).toMatch(/'auto' chose wasm/);
    expect(text).toMatch(/-7\.95231e-38/); // gelu(-13), which peers round to 0
    expect(text).toMatch(/sigmoid\(-1\.702 \* x\)/);
    expect(text).toMatch(/derivative \(symbolic\): sigmoid\(1\.702 \* x\) \+ /);
    expect(text.replace(/\(tfjs and onnxruntime.*\)/, '')).not.toMatch(/NaN/); // values only
  });

  it('draws a monotone function as a rising sparkline', () => {
    expect(sparkline((x) => x, 0, 1, 9)).toBe(' ▁▂▃▄▅▆▇█');
  });
});
