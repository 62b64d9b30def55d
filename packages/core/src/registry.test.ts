import { describe, expect, it, vi } from 'vitest';
import { defineActivation } from './activation.js';
import type { Backend, BackendPlugin } from './backend.js';
import {
  AlreadyRegisteredError,
  BackendUnavailableError,
  BadDefinitionError,
  BadInputError,
  BadParameterError,
  UnknownActivationError,
} from './errors.js';
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
    kernelStats: { cached: 0, compiled: 0, evicted: 0, capacity: 0 },
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
    const registry = createRegistry({
      backends: [plugin('cpu-js', 0).plugin, plugin('wasm', 10).plugin],
    });
    expect((await registry.backend('cpu-js')).name).toBe('cpu-js');
    expect((await registry.selectBackend(['webgpu', 'cpu-js'])).skipped[0]!.reason).toMatch(
      /not registered \(registered: cpu-js, wasm\)/,
    );
    await expect(registry.backend('cpu-jss')).rejects.toThrow(/did you mean 'cpu-js'/);
  });

  it('throws BackendUnavailableError with every reason when nothing works', async () => {
    const registry = createRegistry({ backends: [plugin('webgpu', 20, 'unsupported').plugin] });
    await expect(registry.backend()).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(registry.backend()).rejects.toThrow(/webgpu: WebGPU is not available here/);
    await expect(createRegistry().backend()).rejects.toThrow(
      /no backends are registered; pass backends: \[cpuJs\(\)\]/,
    );
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

describe('registry: hardening', () => {
  it('refuses what is not an id, a params object, a definition or a plugin with typed errors', async () => {
    const registry = createRegistry({ activations: [relu, leaky] });
    for (const id of [undefined, null, 42, {}, ['relu']]) {
      expect(() => registry.activation(id as unknown as string)).toThrow(BadInputError);
    }
    for (const params of [null, 42, true, [1]]) {
      expect(() =>
        registry.activation('lrelu', params as unknown as Record<string, unknown>),
      ).toThrow(BadInputError);
    }
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(() => registry.activation('lrelu', JSON.parse(`{"${name}": 1}`))).toThrow(
        BadParameterError,
      );
      expect(() => registry.activation('lrelu', name)).toThrow(BadParameterError);
      expect(() => registry.activation(name)).toThrow(UnknownActivationError);
    }
    expect(() => registry.register({ id: 'x' } as never)).toThrow(BadDefinitionError);
    expect(() => registry.register(relu)).toThrow(AlreadyRegisteredError);
    expect(() => registry.registerBackend({ name: 'x' } as never)).toThrow(BadInputError);
    await expect(registry.backend(null as never)).rejects.toBeInstanceOf(BadInputError);
    await expect(registry.backend([] as never)).rejects.toBeInstanceOf(BadInputError);
  });

  it('ranks suggestions by edit distance', () => {
    const registry = createRegistry({
      activations: [relu, relu6, defineActivation({ id: 'elu', forward: 'x > 0 ? x : expm1(x)' })],
    });
    const error = (() => {
      try {
        registry.activation('reluu');
      } catch (e) {
        return e as UnknownActivationError;
      }
    })()!;
    expect(error.suggestions[0]).toBe('relu');
  });

  it('says one cause once, and lists only the backends that remain', async () => {
    const unavailable: BackendPlugin = {
      name: 'webgpu',
      priority: 20,
      isSupported: () => true,
      create: () => {
        throw new BackendUnavailableError('webgpu', 'only a software adapter is available');
      },
    };
    const registry = createRegistry({ backends: [unavailable, plugin('wasm', 10).plugin] });
    const error = (await registry
      .backend('webgpu')
      .catch((e: unknown) => e)) as BackendUnavailableError;
    expect(error.message).toBe(
      "Backend 'webgpu' is unavailable: only a software adapter is available. Other registered backends: wasm.",
    );
    expect((await registry.selectBackend('auto')).skipped).toEqual([
      { name: 'webgpu', reason: 'only a software adapter is available' },
    ]);
  });

  it('re-creates a backend that lost its device when asked again, and says so', async () => {
    let created = 0;
    const states: Array<'ready' | 'lost'> = [];
    const gpu: BackendPlugin = {
      name: 'webgpu',
      priority: 20,
      isSupported: () => true,
      create: () => {
        const k = created++;
        states[k] = 'ready';
        return {
          ...fakeBackend('webgpu'),
          get state() {
            return states[k]!;
          },
        };
      },
    };
    const registry = createRegistry({ backends: [gpu, plugin('cpu-js', 0).plugin] });
    const first = await registry.backend();
    states[0] = 'lost';
    const choice = await registry.selectBackend();
    expect(choice.backend).not.toBe(first);
    expect(choice.name).toBe('webgpu');
    expect(choice.recovered).toEqual([
      { name: 'webgpu', reason: 'its device was lost; created again' },
    ]);
    expect(first.dispose).toHaveBeenCalled();
    expect(created).toBe(2);
  });
});
