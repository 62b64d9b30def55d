/**
 * The registry: activations by id or alias, and backends chosen by name, by a preference list,
 * or 'auto' (the highest priority that is supported and initialises, with the reasons for the
 * ones skipped). Each backend is initialised once and cached; so is a failure.
 */
import {
  type Activation,
  type ActivationDefinition,
  type Bounds,
  type Docs,
  isDefinition,
  type ParamSpec,
  type Preset,
} from './activation.js';
import type { Backend, BackendPlugin } from './backend.js';
import {
  AlreadyRegisteredError,
  BackendUnavailableError,
  BadDefinitionError,
  BadInputError,
  UnknownActivationError,
} from './errors.js';
import { describeValue } from './expression.js';
import type { Properties } from './properties.js';
import { closestNames } from './suggest.js';

/** What `createRegistry` takes. */
export interface RegistryOptions {
  /** Activation definitions, e.g. the zoo (an array, or an object of definitions). */
  readonly activations?:
    | Iterable<ActivationDefinition>
    | Readonly<Record<string, ActivationDefinition>>;
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
  /**
   * Backends this registry had handed out that had lost their device (or been disposed), and
   * were therefore created again: `backend` is the new one when `name` is theirs, else the
   * re-creation failed (see `skipped`) and this is the fallback.
   */
  readonly recovered: readonly SkippedBackend[];
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
  /**
   * A backend by preference (default 'auto'). Throws BackendUnavailableError listing every reason.
   * A backend handed out before that has since lost its device is created again (or, failing
   * that, the next one is chosen): asking again is how to recover from DeviceLostError.
   */
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

/** Why creating a backend failed, said once (a BackendUnavailableError already says which backend). */
function failureReason(error: unknown): string {
  if (error instanceof BackendUnavailableError) return error.reason;
  return `initialisation failed: ${error instanceof Error ? error.message : String(error)}`;
}

function checkPlugin(plugin: unknown): asserts plugin is BackendPlugin {
  const p = plugin as Partial<BackendPlugin> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.name !== 'string' ||
    p.name.length === 0 ||
    typeof p.priority !== 'number' ||
    !Number.isFinite(p.priority) ||
    typeof p.isSupported !== 'function' ||
    typeof p.create !== 'function'
  ) {
    throw new BadInputError(
      `A backend plugin is { name, priority, isSupported(), create() }, such as cpuJs() from @activations/cpu-js; got ${describeValue(plugin)}.`,
    );
  }
}

function checkPreference(preference: unknown): asserts preference is BackendPreference {
  const ok =
    typeof preference === 'string' ||
    (Array.isArray(preference) &&
      preference.length > 0 &&
      preference.every((p) => typeof p === 'string'));
  if (!ok) {
    throw new BadInputError(
      `A backend preference is 'auto', a backend name such as 'wasm', or names in order such as ['webgpu', 'wasm']; got ${describeValue(preference)}.`,
    );
  }
}

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
    if (!isDefinition(definition)) {
      throw new BadDefinitionError(
        '',
        'register(definition)',
        `takes what defineActivation, defineVectorActivation or defineLoss returns, got ${describeValue(definition)}`,
      );
    }
    for (const name of [definition.id, ...definition.aliases]) {
      const existing = byName.get(name);
      if (existing) {
        throw new AlreadyRegisteredError(
          name,
          `'${name}' is already registered${existing.id === name ? '' : ` (as an alias of '${existing.id}')`}; choose another id or alias for this definition of '${definition.id}'.`,
        );
      }
    }
    definitions.set(definition.id, definition);
    for (const name of [definition.id, ...definition.aliases]) byName.set(name, definition);
  }

  function registerBackend(plugin: BackendPlugin): void {
    checkPlugin(plugin);
    if (plugins.has(plugin.name)) {
      throw new AlreadyRegisteredError(
        plugin.name,
        `A backend named '${plugin.name}' is already registered; register each plugin once.`,
      );
    }
    plugins.set(plugin.name, plugin);
  }

  const source = options.activations;
  if (source !== undefined) {
    if (typeof source !== 'object' || source === null) {
      throw new BadInputError(
        `activations must be an array or an object of definitions (e.g. the zoo), got ${describeValue(source)}.`,
      );
    }
    const list =
      Symbol.iterator in source
        ? [...(source as Iterable<ActivationDefinition>)]
        : Object.values(source);
    for (const definition of list) register(definition);
  }
  const backends = options.backends ?? [];
  if (typeof backends !== 'object' || backends === null || !(Symbol.iterator in backends)) {
    throw new BadInputError(
      `backends must be an array of plugins such as [wasm(), cpuJs()], got ${describeValue(backends)}.`,
    );
  }
  for (const plugin of backends) registerBackend(plugin);

  function definition(id: string): ActivationDefinition {
    if (typeof id !== 'string') {
      throw new BadInputError(
        `An activation id is a string such as 'gelu', got ${describeValue(id)}; registry.activations() lists them.`,
      );
    }
    const found = byName.get(id);
    if (found) return found;
    throw new UnknownActivationError(id.slice(0, 100), closestNames(id, byName.keys()));
  }

  function slot(plugin: BackendPlugin): Promise<Slot> {
    let pending = slots.get(plugin.name);
    if (!pending) {
      pending = (async (): Promise<Slot> => {
        try {
          const supported = await plugin.isSupported();
          if (supported !== true)
            return { reason: typeof supported === 'string' ? supported : 'not supported here' };
          return { backend: await plugin.create() };
        } catch (error) {
          return { reason: failureReason(error) };
        }
      })();
      slots.set(plugin.name, pending);
    }
    return pending;
  }

  /** The plugin's slot; a backend handed out before that is no longer ready is created again. */
  async function liveSlot(plugin: BackendPlugin, recovered: SkippedBackend[]): Promise<Slot> {
    const pending = slot(plugin);
    const result = await pending;
    if (!('backend' in result)) return result;
    const state = result.backend.state;
    if (state === undefined || state === 'ready') return result;
    const why = state === 'lost' ? 'its device was lost' : 'it was disposed';
    // concurrent callers: only the first replaces the slot, the others share the new one
    if (slots.get(plugin.name) === pending) slots.delete(plugin.name);
    if (state === 'lost') result.backend.dispose();
    recovered.push({ name: plugin.name, reason: `${why}; created again` });
    const again = await slot(plugin);
    if ('backend' in again) return again;
    recovered[recovered.length - 1] = {
      name: plugin.name,
      reason: `${why}; creating it again failed`,
    };
    return again;
  }

  function candidates(preference: BackendPreference): string[] {
    if (preference === 'auto') {
      return [...plugins.values()].sort((a, b) => b.priority - a.priority).map((p) => p.name);
    }
    return typeof preference === 'string' ? [preference] : [...preference];
  }

  async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
    checkPreference(preference);
    const names = candidates(preference);
    const skipped: SkippedBackend[] = [];
    const recovered: SkippedBackend[] = [];
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
      const result = await liveSlot(plugin, recovered);
      if ('backend' in result) return { backend: result.backend, name, skipped, recovered };
      skipped.push({ name, reason: result.reason });
    }
    if (names.length === 0) {
      throw new BackendUnavailableError(
        'auto',
        'no backends are registered; pass backends: [cpuJs()] to createRegistry.',
      );
    }
    // asked for one backend by name, the error already names it
    const named = typeof preference === 'string' && preference !== 'auto';
    const reasons = skipped.map((s) => (named ? s.reason : `${s.name}: ${s.reason}`)).join('; ');
    const untried = [...plugins.keys()].filter((n) => !names.includes(n));
    const advice = untried.length
      ? ` Other registered backends: ${untried.join(', ')}.`
      : ' Register a backend that runs everywhere, such as cpuJs() from @activations/cpu-js.';
    const label = typeof preference === 'string' ? preference : preference.join(', ');
    throw new BackendUnavailableError(label, `${reasons}.${advice}`);
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
        const result = await liveSlot(plugin, []);
        statuses.push(
          'backend' in result
            ? { name: plugin.name, priority: plugin.priority, available: true }
            : {
                name: plugin.name,
                priority: plugin.priority,
                available: false,
                reason: result.reason,
              },
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
