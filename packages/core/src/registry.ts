/**
 * The registry: activations by id or alias, and backends chosen by name, by a preference list,
 * or 'auto' (the highest priority that is supported and initialises, with the reasons for the
 * ones skipped). Each backend is initialised once and cached; so is a failure.
 */
import type { Activation, ActivationDefinition, Bounds, Docs, ParamSpec, Preset } from './activation.js';
import type { Backend, BackendPlugin } from './backend.js';
import { ActivationError, BackendUnavailableError, UnknownActivationError } from './errors.js';
import type { Properties } from './properties.js';
import { closestNames } from './suggest.js';

/** What `createRegistry` takes. */
export interface RegistryOptions {
  /** Activation definitions, e.g. the zoo (an array, or an object of definitions). */
  readonly activations?: Iterable<ActivationDefinition> | Readonly<Record<string, ActivationDefinition>>;
  /** Backend plugins, e.g. [cpuJs()]. */
  readonly backends?: Iterable<BackendPlugin>;
}

/** A backend preference: 'auto', one backend's name, or names in order of preference. */
export type BackendPreference = 'auto' | (string & {}) | readonly string[];

/** A backend the registry passed over, and why. */
export interface SkippedBackend {
  readonly name: string;
  readonly reason: string;
}

/** The outcome of choosing a backend. */
export interface BackendChoice {
  readonly backend: Backend;
  readonly name: string;
  /** Backends tried before it (higher priority or earlier in the list) that were unavailable. */
  readonly skipped: readonly SkippedBackend[];
}

/** One backend's availability. */
export interface BackendStatus {
  readonly name: string;
  readonly priority: number;
  readonly available: boolean;
  readonly reason?: string;
}

/** An activation's catalogue entry, with its default parameters. */
export interface ActivationSummary {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly kind: ActivationDefinition['kind'];
  readonly docs: Docs;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly presets: Readonly<Record<string, Preset>>;
  readonly bounds: Bounds;
  readonly properties: Properties;
}

/** Activations and backends, chosen at run time. */
export interface Registry {
  /**
   * An activation by id or alias, with parameters (defaults for the rest) or a preset name.
   *
   * @example registry.activation('leaky-relu', { negativeSlope: 0.2 })
   * @example registry.activation('hard-sigmoid', 'onnx')
   */
  activation(id: string, params?: Readonly<Record<string, unknown>> | string): Activation;
  /** The definition behind an id or alias. */
  definition(id: string): ActivationDefinition;
  /** Every activation with its metadata, in registration order. */
  activations(): ActivationSummary[];
  /** Adds an activation definition (its id and aliases must be new). */
  register(definition: ActivationDefinition): void;
  /** Adds a backend plugin (its name must be new). */
  registerBackend(plugin: BackendPlugin): void;
  /** A backend by preference (default 'auto'). Throws BackendUnavailableError listing every reason. */
  backend(preference?: BackendPreference): Promise<Backend>;
  /** Like `backend`, and also says which backends were skipped and why. */
  selectBackend(preference?: BackendPreference): Promise<BackendChoice>;
  /** Tries every backend (initialising it) and reports which are available. */
  backendStatus(): Promise<BackendStatus[]>;
  /** Forgets a cached backend (after device loss): the next request initialises it again. */
  invalidate(name: string): void;
  /** Disposes every backend this registry created. */
  dispose(): void;
}

type Slot = { backend: Backend } | { reason: string };

/**
 * Creates a registry. There is no global registry: each one holds only what it is given.
 *
 * @example
 * const registry = createRegistry({ activations: zoo, backends: [cpuJs()] });
 * const backend = await registry.backend('auto');
 * const y = await backend.forward(registry.activation('gelu'), new Float32Array([-1, 0, 1]));
 */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const definitions = new Map<string, ActivationDefinition>();
  const byName = new Map<string, ActivationDefinition>();
  const plugins = new Map<string, BackendPlugin>();
  const slots = new Map<string, Promise<Slot>>();

  function register(definition: ActivationDefinition): void {
    for (const name of [definition.id, ...definition.aliases]) {
      const existing = byName.get(name);
      if (existing) {
        throw new ActivationError(
          'BAD_PARAMETER',
          `'${name}' is already registered (by '${existing.id}'); choose another id or alias for '${definition.id}'.`,
        );
      }
    }
    definitions.set(definition.id, definition);
    for (const name of [definition.id, ...definition.aliases]) byName.set(name, definition);
  }

  function registerBackend(plugin: BackendPlugin): void {
    if (plugins.has(plugin.name)) {
      throw new ActivationError('BAD_PARAMETER', `A backend named '${plugin.name}' is already registered.`);
    }
    plugins.set(plugin.name, plugin);
  }

  const source = options.activations;
  if (source) {
    const list = Symbol.iterator in source ? [...(source as Iterable<ActivationDefinition>)] : Object.values(source);
    for (const definition of list) register(definition);
  }
  for (const plugin of options.backends ?? []) registerBackend(plugin);

  function definition(id: string): ActivationDefinition {
    const found = byName.get(id);
    if (found) return found;
    throw new UnknownActivationError(id, closestNames(id, byName.keys()));
  }

  function slot(plugin: BackendPlugin): Promise<Slot> {
    let pending = slots.get(plugin.name);
    if (!pending) {
      pending = (async (): Promise<Slot> => {
        try {
          const supported = await plugin.isSupported();
          if (supported !== true) return { reason: supported };
          return { backend: await plugin.create() };
        } catch (error) {
          return { reason: `initialisation failed: ${error instanceof Error ? error.message : String(error)}` };
        }
      })();
      slots.set(plugin.name, pending);
    }
    return pending;
  }

  function candidates(preference: BackendPreference): string[] {
    if (preference === 'auto') {
      return [...plugins.values()].sort((a, b) => b.priority - a.priority).map((p) => p.name);
    }
    return typeof preference === 'string' ? [preference] : [...preference];
  }

  async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
    const names = candidates(preference);
    const skipped: SkippedBackend[] = [];
    for (const name of names) {
      const plugin = plugins.get(name);
      if (!plugin) {
        const close = closestNames(name, plugins.keys());
        skipped.push({
          name,
          reason: `not registered (registered: ${[...plugins.keys()].join(', ') || 'none'}${close.length ? `; did you mean '${close[0]}'?` : ''})`,
        });
        continue;
      }
      const result = await slot(plugin);
      if ('backend' in result) return { backend: result.backend, name, skipped };
      skipped.push({ name, reason: result.reason });
    }
    const label = typeof preference === 'string' ? preference : preference.join(', ');
    const reasons = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new BackendUnavailableError(
      label,
      names.length === 0
        ? 'no backends are registered; pass backends: [cpuJs()] to createRegistry.'
        : `${reasons}. Register another backend or choose one of: ${[...plugins.keys()].join(', ') || 'none'}.`,
    );
  }

  return {
    activation: (id, params) => definition(id).create(params),
    definition,
    activations: () =>
      [...definitions.values()].map((d) => {
        const act = d.create();
        return {
          id: d.id,
          aliases: d.aliases,
          kind: d.kind,
          docs: d.docs,
          params: d.params,
          presets: d.presets,
          bounds: act.bounds,
          properties: act.properties,
        };
      }),
    register,
    registerBackend,
    backend: async (preference) => (await selectBackend(preference)).backend,
    selectBackend,
    async backendStatus() {
      const statuses: BackendStatus[] = [];
      for (const plugin of [...plugins.values()].sort((a, b) => b.priority - a.priority)) {
        const result = await slot(plugin);
        statuses.push(
          'backend' in result
            ? { name: plugin.name, priority: plugin.priority, available: true }
            : { name: plugin.name, priority: plugin.priority, available: false, reason: result.reason },
        );
      }
      return statuses;
    },
    invalidate(name) {
      const pending = slots.get(name);
      slots.delete(name);
      void pending?.then((s) => ('backend' in s ? s.backend.dispose() : undefined));
    },
    dispose() {
      for (const name of [...slots.keys()]) this.invalidate(name);
    },
  };
}
