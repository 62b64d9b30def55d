import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRegistry,
  type ElementwiseActivation,
  UnsupportedOperationError,
} from '@activations/core';
import { gelu, prelu, sigmoid, softmax, zoo } from '@activations/zoo';
import { describe, expect, it } from 'vitest';
import { CpuJsBackend } from './backend.js';
import { cpuJs } from './index.js';
import { canGenerateCode } from './kernels.js';

describe('cpu-js backend', () => {
  it('is what the registry picks when it is the only backend', async () => {
    const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
    const choice = await registry.selectBackend('auto');
    expect(choice.name).toBe('cpu-js');
    expect(choice.skipped).toEqual([]);
    const y = await choice.backend.forward(
      registry.activation('leaky-relu', { negativeSlope: 0.2 }),
      Float32Array.of(-1, 2),
    );
    expect([...y]).toEqual([Math.fround(-0.2), 2]);
  });

  it('compiles each kernel once per activation, parameters, op and precision', () => {
    const backend = new CpuJsBackend();
    const act = gelu.create();
    backend.forwardSync(act, new Float32Array(4));
    backend.forwardSync(act, new Float32Array(8));
    expect(backend.kernelStats.cached).toBe(1);
    backend.forwardSync(act, new Float64Array(4));
    backend.derivativeSync(act, new Float32Array(4));
    backend.forwardSync(prelu.create({ alpha: 0.1 }), new Float32Array(4));
    backend.forwardSync(prelu.create({ alpha: 0.2 }), new Float32Array(4));
    expect(backend.kernelStats.cached).toBe(5);
  });

  it('gives a float32 zero the sign of the float64 denormal it rounds from', () => {
    // swish′ with β = 0.5 at -1475.75 is -2.6e-318 (σ(-737.9) a float64 denormal): dy = 2^-20
    // makes it a float32 -0 in the generated code and the closures alike
    const swish = createRegistry({ activations: zoo }).activation('swish', {
      beta: 0.5,
    }) as ElementwiseActivation;
    for (const codegen of ['generate', 'closures'] as const) {
      const out = new CpuJsBackend({ codegen }).backwardSync(
        swish,
        Float32Array.of(-1475.749755859375),
        Float32Array.of(2 ** -20),
      );
      expect(Object.is(out[0], -0), codegen).toBe(true);
    }
  });

  it('keeps float64 denormal results in Float64Array output', () => {
    const backend = new CpuJsBackend();
    const y = backend.forwardSync(sigmoid.create(), Float64Array.of(-720, -740));
    expect(y[0]).toBeCloseTo(Math.exp(-720), 320);
    expect(y[0]).toBeGreaterThan(0);
    expect(y[1]).toBeGreaterThan(0);
  });

  it('gives PReLU’s gradient with respect to alpha', () => {
    const backend = new CpuJsBackend();
    const x = Float32Array.of(-2, -1, 0.5, 3);
    const dy = Float32Array.of(1, 2, 3, 4);
    expect(backend.paramGradientSync(prelu.create(), 'alpha', x, dy)).toBe(-4); // 1·(-2) + 2·(-1)
    expect(() => backend.paramGradientSync(prelu.create(), 'beta', x, dy)).toThrow(
      /no such parameter; 'prelu' takes 'alpha'/,
    );
  });

  it('explains what to use for vector activations and losses', () => {
    const backend = new CpuJsBackend();
    expect(() => backend.derivativeSync(softmax.create(), new Float32Array(3))).toThrow(
      UnsupportedOperationError,
    );
    expect(() => backend.derivativeSync(softmax.create(), new Float32Array(3))).toThrow(
      /use backward\(act, x, dy\)/,
    );
  });

  it('computes in float64 and rounds once for Float32Array', () => {
    const backend = new CpuJsBackend();
    const act = gelu.create() as ElementwiseActivation;
    const y = backend.forwardSync(act, Float32Array.of(-13));
    expect(y[0]).toBe(Math.fround(act.forward(Math.fround(-13))));
  });
});

describe('cpu-js under a Content-Security-Policy', () => {
  it('detects that code generation is allowed here', () => {
    expect(canGenerateCode()).toBe(true);
    expect(new CpuJsBackend().codegen).toBe('generate');
  });

  it("falls back to closures where 'unsafe-eval' is forbidden (node --disallow-code-generation-from-strings)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-js-csp-'));
    const script = join(dir, 'csp.ts');
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    const zooIndex = fileURLToPath(new URL('../../zoo/src/index.ts', import.meta.url));
    writeFileSync(
      script,
      [
        `import { CpuJsBackend } from ${JSON.stringify(index)};`,
        `import { canGenerateCode } from ${JSON.stringify(fileURLToPath(new URL('./kernels.ts', import.meta.url)))};`,
        `import { gelu } from ${JSON.stringify(zooIndex)};`,
        'const backend = new CpuJsBackend();',
        'const y = backend.forwardSync(gelu.create(), Float32Array.of(-1, 0, 1));',
        'console.log(JSON.stringify({ canGenerate: canGenerateCode(), codegen: backend.codegen, y: [...y] }));',
      ].join('\n'),
    );
    const output = execFileSync(
      process.execPath,
      [
        '--conditions=@activations/source',
        '--disallow-code-generation-from-strings',
        '--import',
        'tsx',
        script,
      ],
      { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(result.canGenerate).toBe(false);
    expect(result.codegen).toBe('closures');
    const reference = gelu.create();
    expect(result.y).toEqual([-1, 0, 1].map((v) => Math.fround(reference.forward(v))));
  });
});
