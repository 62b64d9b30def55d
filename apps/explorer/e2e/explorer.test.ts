import { zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { lastCurve, open, unavailable, useApp } from '@activations/browser-harness';

const APP = new URL('..', import.meta.url).pathname;
const session = useApp(APP);

/** Largest |a - b| relative to max(1, |b|). */
function maxRelative(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

describe.skipIf(unavailable)('explorer (headless Chromium)', () => {
  it('loads the gallery with a plot for every activation', async () => {
    await open(session(), '#/');
    const { page } = session();
    expect(await page.locator('.card').count()).toBe(zoo.length);
    expect(await page.locator('.mini canvas').count()).toBe(zoo.length);
    // the backend picker lists what the registry found; none is missing without a reason
    const options = await page.locator('#backend option').evaluateAll((os) =>
      os.map((o) => ({
        value: (o as HTMLOptionElement).value,
        disabled: (o as HTMLOptionElement).disabled,
        title: (o as HTMLOptionElement).title,
      })),
    );
    expect(options.map((o) => o.value)).toEqual(['auto', 'webgpu', 'wasm', 'cpu-js']);
    for (const o of options) if (o.disabled) expect(o.title).not.toBe('');
  });

  it("renders every activation's page with a plot of f and f′ computed on a backend", async () => {
    const { page } = session();
    for (const d of zoo) {
      await open(session(), `#/a/${d.id}?backend=cpu-js`);
      const status = await page.locator('[data-testid=compute-status]').textContent();
      expect(status, d.id).toMatch(/^601 points × \(f, f′\) on cpu-js in/);
      // two curves of 601 points each in the SVG
      const longPaths = await page
        .locator('[data-testid=plot] svg path')
        .evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 2000).length);
      expect(longPaths, d.id).toBeGreaterThanOrEqual(2);
      expect(await page.locator('[data-testid=formula] .katex').count(), d.id).toBe(1);
    }
  });

  it('moves the curve when a parameter slider moves, and keeps the value in the URL', async () => {
    const { page } = session();
    await open(session(), '#/a/leaky-relu?backend=cpu-js');
    const before = await lastCurve(page);
    expect(before.f[0]).toBeCloseTo(-6 * 0.01, 6);
    const rendered = await page.evaluate(
      () => (globalThis as unknown as { __app: { rendered: number } }).__app.rendered,
    );
    await page.locator('[data-testid=param-negativeSlope]').fill('0.3');
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { __app: { rendered: number } }).__app.rendered > n &&
        document.body.dataset.ready === 'true',
      rendered,
    );
    const after = await lastCurve(page);
    expect(after.f[0]).toBeCloseTo(-6 * 0.3, 5);
    expect(after.df[0]).toBeCloseTo(0.3, 6);
    expect(page.url()).toMatch(/#\/a\/leaky-relu\?negativeSlope=0\.3&backend=cpu-js$/);
    // a shared link reproduces the view
    await open(session(), '#/a/elu?alpha=2&from=-3&to=3');
    const elu = await lastCurve(page);
    expect(elu.x[0]).toBe(-3);
    expect(elu.f[0]).toBeCloseTo(2 * Math.expm1(-3), 6);
  });

  it('gives the same curves on cpu-js, wasm and webgpu (SwiftShader), within float32 rounding', async () => {
    const { page } = session();
    for (const id of ['gelu', 'mish', 'softplus', 'softmax']) {
      const curves = [];
      for (const backend of ['cpu-js', 'wasm', 'webgpu']) {
        await open(session(), `#/a/${id}?backend=${backend}`);
        const curve = await lastCurve(page);
        expect(curve.backend, `${id} on ${backend}`).toBe(backend);
        expect(
          await page.locator('[data-testid=compute-status]').getAttribute('data-backend'),
        ).toBe(backend);
        curves.push(curve);
      }
      for (const other of curves.slice(1)) {
        expect(maxRelative(other.f, curves[0]!.f), `${id} f on ${other.backend}`).toBeLessThan(
          1e-6,
        );
        expect(maxRelative(other.df, curves[0]!.df), `${id} f′ on ${other.backend}`).toBeLessThan(
          1e-6,
        );
      }
    }
    // the picker switches the backend of the current view
    await open(session(), '#/a/tanh?backend=wasm');
    await page.selectOption('#backend', 'webgpu');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { __app: { curve?: { backend: string } } }).__app.curve
          ?.backend === 'webgpu' && document.body.dataset.ready === 'true',
    );
    expect(page.url()).toMatch(/backend=webgpu/);
  });

  it('plots a custom formula with its derivative, computed range and source', async () => {
    const { page } = session();
    await open(session(), '#/custom?backend=wasm');
    const rendered = await page.evaluate(
      () => (globalThis as unknown as { __app: { rendered: number } }).__app.rendered,
    );
    await page.locator('[data-testid=formula-input]').fill('x * sigmoid(1.702 * x)');
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { __app: { rendered: number } }).__app.rendered > n &&
        document.body.dataset.ready === 'true',
      rendered,
    );
    const curve = await lastCurve(page);
    const quickGelu = (x: number) => x / (1 + Math.exp(-1.702 * x));
    for (const i of [0, 150, 300, 450, 600])
      expect(curve.f[i]).toBeCloseTo(quickGelu(curve.x[i]!), 5);
    expect(await page.locator('[data-testid=custom-derivative]').textContent()).toMatch(
      /^f'\(x\) = /,
    );
    expect(await page.locator('[data-testid=custom-range]').textContent()).toMatch(
      /^output \[-0\.1\d+, ∞\)/,
    );
    expect(await page.locator('[data-testid=custom-wgsl]').textContent()).toContain(
      'fn custom(x: f32) -> f32',
    );
    expect(await page.locator('[data-testid=custom-js]').textContent()).toContain(
      'export function custom(x)',
    );
    expect(page.url()).toContain('f=x+*+sigmoid%281.702+*+x%29');
    // a typo is reported where it is, not thrown
    await page.locator('[data-testid=formula-input]').fill('x * sigmod(x)');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=formula-message]')?.classList.contains('error'),
    );
    expect(await page.locator('[data-testid=formula-message]').textContent()).toMatch(/sigmod/);
  });

  it('compares several activations on one plot and lists the catalogue like a textbook table', async () => {
    const { page } = session();
    await open(session(), '#/compare?ids=relu,gelu,silu&d=1');
    expect(await page.locator('[data-testid=compare-plot] svg').count()).toBe(1);
    expect(await page.locator('[data-testid=compare-table] tr').count()).toBe(zoo.length + 1);
    await page.locator('[data-testid=pick-tanh]').check();
    await page.waitForFunction(() => location.hash.includes('tanh'));
    expect(page.url()).toMatch(/ids=relu%2Cgelu%2Csilu%2Ctanh&d=1/);
  });
});
