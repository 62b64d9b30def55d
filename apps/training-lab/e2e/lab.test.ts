import { open, unavailable, useApp } from '@activations/browser-harness';
import { describe, expect, it } from 'vitest';

const APP = new URL('..', import.meta.url).pathname;
const session = useApp(APP);

interface RunHook {
  label: string;
  step: number;
  accuracy: number;
  gradientNorms: number[];
  dead: number[];
  meanFirstGradient: number;
}

/** Picks an experiment, trains its preset number of steps, and returns every run's state. */
async function runExperiment(id: string, steps: number): Promise<RunHook[]> {
  const { page } = session();
  await page.click(`[data-testid=experiment-${id}]`);
  await page.waitForFunction(
    () =>
      document.body.dataset.ready === 'true' &&
      (globalThis as unknown as { __app: { runs: RunHook[] } }).__app.runs.every(
        (r) => r.step === 0,
      ),
  );
  await page.click('[data-testid=run-steps]');
  await page.waitForFunction(
    (n) =>
      document.body.dataset.ready === 'true' &&
      (globalThis as unknown as { __app: { runs: RunHook[] } }).__app.runs.every(
        (r) => r.step >= n,
      ),
    steps,
    { timeout: 100_000 },
  );
  return page.evaluate(() => (globalThis as unknown as { __app: { runs: RunHook[] } }).__app.runs);
}

describe.skipIf(unavailable)('training lab (headless Chromium)', () => {
  it('opens on the XOR experiment with its charts, and picks wasm when the only GPU is a software one', async () => {
    await open(session(), '#/');
    const { page } = session();
    expect(await page.locator('[data-testid=lesson]').textContent()).toMatch(/XOR/);
    expect(await page.locator('[data-testid=run-0] canvas').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=status]').textContent()).toMatch(
      /backend auto \((wasm|webgpu)\)/,
    );
  });

  it('XOR: two layers reach 100% accuracy, the single perceptron never does', async () => {
    const [perceptron, twoLayers] = await runExperiment('xor', 300);
    expect(perceptron!.label).toMatch(/perceptron/);
    expect(perceptron!.accuracy).toBeLessThan(1);
    expect(twoLayers!.accuracy).toBe(1);
    expect(await session().page.locator('[data-testid=verdict]').textContent()).toMatch(
      /two layers, tanh: 100% of XOR right/,
    );
  });

  it("vanishing gradients: the 10-layer sigmoid net's first-layer gradient is at least 100× smaller than ReLU's", async () => {
    const [sigmoid, relu] = await runExperiment('vanishing', 300);
    expect(sigmoid!.label).toMatch(/sigmoid/);
    expect(relu!.meanFirstGradient / sigmoid!.meanFirstGradient).toBeGreaterThan(100);
    expect(sigmoid!.gradientNorms).toHaveLength(10);
  });

  it('dying ReLU: ReLU units die at a high learning rate, leaky ReLU and ELU units do not', async () => {
    const [relu, leaky, elu] = await runExperiment('dying', 200);
    expect(Math.max(...relu!.dead)).toBeGreaterThanOrEqual(0.25);
    expect(Math.max(...leaky!.dead)).toBe(0);
    expect(Math.max(...elu!.dead)).toBe(0);
  });

  it('trains your own network: the spiral with softmax over three classes', async () => {
    const { page } = session();
    await page.click('[data-testid=experiment-custom]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.selectOption('[data-testid=custom-dataset]', 'spiral');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.selectOption('[data-testid=custom-activation]', 'relu');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.fill('[data-testid=custom-width]', '32');
    await page.locator('[data-testid=custom-width]').dispatchEvent('change');
    await page.waitForFunction(
      () =>
        document.body.dataset.ready === 'true' &&
        document.querySelector('[data-testid=custom-width]') !== null,
    );
    await page.selectOption('[data-testid=custom-init]', 'he');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    for (let i = 0; i < 2; i++) {
      await page.click('[data-testid=run-steps]');
      await page.waitForFunction(
        (n) =>
          document.body.dataset.ready === 'true' &&
          (globalThis as unknown as { __app: { runs: RunHook[] } }).__app.runs[0]!.step >= n,
        300 * (i + 1),
        { timeout: 100_000 },
      );
    }
    const [run] = await page.evaluate(
      () => (globalThis as unknown as { __app: { runs: RunHook[] } }).__app.runs,
    );
    expect(run!.label).toBe('3 layers × 32, relu');
    expect(run!.accuracy).toBeGreaterThan(0.8);
  });
});
