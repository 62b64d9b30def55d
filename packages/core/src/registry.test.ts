import { describe, expect, it, vi } from 'vitest';
import { defineActivation } from './activation.js';
import type { Backend, BackendPlugin } from './backend.js';
import { BackendUnavailableError, UnknownActivationError } from './errors.js';
import { createRegistry } from './registry.js';

const relu = defineActivation({ id: 'relu', forward: 'max(x, 0)' });
const relu6 = defineActivation({ id: 'relu6', forward: 'min(max(x, 0), 6)' });
const leaky = defineActivation({
  id: 'leaky-relu',
  aliases: ['lrelu'],
  params: { negativeSlope: { default: 0.01, min: 0, description: 'slope for x < 0' } },
  forward: 'x > 0 ? x : negativeSlope * x',
});

function fakeBackend(name: string): Backend {
  return {
    name,
    supportsFloat64: false,
    state: 'ready',
    prepare: async () => {},
    forward: async (_a, x) => x,
    derivative: async (_a, x) => x,
    backward: async (_a, x) => x,
    paramGradient: async () => 0,
    loss: async () => 0,
    lossGradient: async (_a, x) => x,
    dispose: vi.fn(),
  };
}

function plugin(name: string, priority: number, behaviour: 'ok' | 'unsupported' | 'throws' = 'ok') {
  const create = vi.fn(async () => {
    if (behaviour === 'throws') throw new Error('no adapter');
    return fakeBackend(name);
  });
  const p: BackendPlugin = {
    name,
    priority,
    isSupported: () => (behaviour === 'unsupported' ? 'WebGPU is not available here' : true),
    create,
  };
  return { plugin: p, create };
}

describe('registry: activations', () => {
  const registry = createRegistry({ activations: [relu, relu6, leaky] });

  it('resolves ids and aliases with parameters', () => {
    expect(registry.activation('lrelu', { negativeSlope: 0.2 }).params.negativeSlope).toBe(0.2);
    expect(registry.activation('relu').id).toBe('relu');
    expect(registry.definition('lrelu')).toBe(leaky);
  });

  it('suggests the closest ids for an unknown one', () => {
    let error: unknown;
    try {
      registry.activation('relu7');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownActivationError);
    expect((error as UnknownActivationError).suggestions.slice(0, 2)).toEqual(['relu', 'relu6']);
    expect((error as UnknownActivationError).code).toBe('UNKNOWN_ACTIVATION');
    expect(() => registry.activation('zzzzzz')).toThrow(/registry.activations\(\)/);
  });

  it('lists activations with metadata and refuses duplicate ids', () => {
    expect(registry.activations().map((a) => a.id)).toEqual(['relu', 'relu6', 'leaky-relu']);
    expect(registry.activations()[0]!.properties.zeroGradient).toBe('left');
    expect(() => registry.register(relu)).toThrow(/already registered/);
    const fromObject = createRegistry({ activations: { relu, relu6 } });
    expect(fromObject.activations()).toHaveLength(2);
  });
});

describe('registry: backends', () => {
  it("'auto' takes the highest priority that initialises and says why others were skipped", async () => {
    const gpu = plugin('webgpu', 20, 'unsupported');
    const wasm = plugin('wasm', 10, 'throws');
    const cpu = plugin('cpu-js', 0);
    const registry = createRegistry({ backends: [cpu.plugin, gpu.plugin, wasm.plugin] });
    const choice = await registry.selectBackend('auto');
    expect(choice.name).toBe('cpu-js');
    expect(choice.skipped).toEqual([
      { name: 'webgpu', reason: 'WebGPU is not available here' },
      { name: 'wasm', reason: 'initialisation failed: no adapter' },
    ]);
    expect((await registry.backend()).name).toBe('cpu-js');
    expect(cpu.create).toHaveBeenCalledTimes(1); // initialised once, then cached
    expect(wasm.create).toHaveBeenCalledTimes(1); // failures are cached too
    expect(await registry.backendStatus()).toEqual([
      { name: 'webgpu', priority: 20, available: false, reason: 'WebGPU is not available here' },
      { name: 'wasm', priority: 10, available: false, reason: 'initialisation failed: no adapter' },
      { name: 'cpu-js', priority: 0, available: true },
    ]);
  });

  it('takes a name or an ordered list', async () => {
    const registry = createRegistry({ backends: [plugin('cpu-js', 0).plugin, plugin('wasm', 10).plugin] });
    expect((await registry.backend('cpu-js')).name).toBe('cpu-js');
    expect((await registry.selectBackend(['webgpu', 'cpu-js'])).skipped[0]!.reason).toMatch(/not registered \(registered: cpu-js, wasm\)/);
    await expect(registry.backend('cpu-jss')).rejects.toThrow(/did you mean 'cpu-js'/);
  });

  it('throws BackendUnavailableError with every reason when nothing works', async () => {
    const registry = createRegistry({ backends: [plugin('webgpu', 20, 'unsupported').plugin] });
    await expect(registry.backend()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(registry.backend()).rejects.toThrow(/webgpu: WebGPU is not available here/);
    await expect(createRegistry().backend()).rejects.toThrow(/no backends are registered; pass backends: \[cpuJs\(\)\]/);
  });

  it('invalidate re-creates a backend and disposes the old one; dispose frees all', async () => {
    const cpu = plugin('cpu-js', 0);
    const registry = createRegistry({ backends: [cpu.plugin] });
    const first = await registry.backend();
    registry.invalidate('cpu-js');
    const second = await registry.backend();
    expect(second).not.toBe(first);
    expect(cpu.create).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(first.dispose).toHaveBeenCalled());
    registry.dispose();
    await vi.waitFor(() => expect(second.dispose).toHaveBeenCalled());
    expect(() => registry.registerBackend(cpu.plugin)).toThrow(/already registered/);
  });
});
