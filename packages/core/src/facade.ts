/**
 * The Backend users call, implemented once for every backend on top of a narrow provider:
 * argument checks, the aliasing rule, shared and detached buffers, kind dispatch, the vector and
 * loss compositions, parameter-gradient reduction, lifecycle, and one compile per kernel.
 */
import type {
  Activation,
  ElementwiseActivation,
  LossActivation,
  VectorActivation,
} from './activation.js';
import type { Backend, BackendState, FloatArray, PreparedOp, SyncBackend } from './backend.js';
import {
  checkActivation,
  checkFloatArray,
  checkLike,
  floatArrayType,
  isShared,
  newLike,
  overlap,
} from './checks.js';
import {
  ActivationError,
  BackendUnavailableError,
  BadInputError,
  BadParameterError,
  DeviceLostError,
  InternalError,
  UnsupportedOperationError,
} from './errors.js';
import { describeValue } from './expression.js';
import { KernelCache, type KernelStats } from './kernel-cache.js';
import {
  type BackendProvider,
  type ElementwiseOp,
  type FloatType,
  type Job,
  type MapRequest,
  mapRequest,
  type OpRequest,
  rowsRequest,
  type SyncBackendProvider,
} from './provider.js';
import { closestNames } from './suggest.js';
import {
  crossEntropyFromLogProbabilities,
  crossEntropyGradientFromProbabilities,
  resolveRowLength,
  resolveTargets,
  type SoftmaxSpec,
  softmaxBackwardFromProbabilities,
  softmaxBackwardRows,
  type Targets,
} from './vector.js';

/** Options of the façade. */
export interface FacadeOptions {
  /** Largest number of compiled kernels kept (default KERNEL_CACHE_SIZE, 256); least recently used go first. */
  readonly kernelCacheSize?: number;
}

/** The arrays of one call after staging (see #stage): `target` receives the kernel's output. */
interface Staged {
  readonly x: FloatArray;
  readonly dy: FloatArray | undefined;
  readonly target: FloatArray;
  readonly result: FloatArray;
}

/** What turns a kernel's output into the method's result (data, not closures: no allocation per call). */
type Finish =
  | { readonly kind: 'copy'; readonly target: FloatArray; readonly result: FloatArray }
  | {
      readonly kind: 'vector-backward';
      readonly softmax: SoftmaxSpec;
      readonly p: FloatArray;
      readonly dy: FloatArray;
      readonly rowLength: number;
      readonly result: FloatArray;
    }
  | { readonly kind: 'param-gradient'; readonly g: FloatArray; readonly dy: FloatArray }
  | {
      readonly kind: 'loss';
      readonly p: FloatArray;
      readonly targets: Targets;
      readonly rowLength: number;
    }
  | {
      readonly kind: 'loss-gradient';
      readonly p: FloatArray;
      readonly targets: Targets;
      readonly rowLength: number;
      readonly result: FloatArray;
    };

/** One call's work: a kernel request, the arrays it runs over (checked and staged), and its finish. */
interface Plan {
  readonly request: OpRequest;
  readonly job: Job;
  readonly finish: Finish;
}

/** A call that needs no kernel (empty arrays). */
interface Done {
  readonly done: unknown;
}

/** Can a kernel write `out` while reading `input`? Separate memory, or exactly the same elements (not for rows). */
function apart(out: FloatArray, input: FloatArray | undefined, rows: boolean): boolean {
  if (input === undefined) return true;
  const o = overlap(out, input);
  return o === 'none' || (o === 'exact' && !rows);
}

function finish(f: Finish): unknown {
  switch (f.kind) {
    case 'copy':
      if (f.target !== f.result) f.result.set(f.target);
      return f.result;
    case 'vector-backward':
      softmaxBackwardFromProbabilities(f.softmax, f.p, f.dy, f.rowLength, f.result);
      return f.result;
    case 'param-gradient': {
      let sum = 0;
      for (let i = 0; i < f.g.length; i++) sum += f.dy[i]! * f.g[i]!;
      return sum;
    }
    case 'loss':
      return crossEntropyFromLogProbabilities(f.p, f.targets, f.rowLength);
    case 'loss-gradient':
      crossEntropyGradientFromProbabilities(f.p, f.targets, f.rowLength);
      f.result.set(f.p);
      return f.result;
  }
}

type Method = 'forward' | 'derivative' | 'backward' | 'paramGradient' | 'loss' | 'lossGradient';

function rejectLoss(act: Activation, method: string): void {
  if (act.kind === 'loss') {
    throw new UnsupportedOperationError(
      `${method} does not take a loss; use loss(act, logits, targets) and lossGradient(act, logits, targets) for '${act.id}'.`,
    );
  }
}

function requireElementwise(act: Activation, method: string): asserts act is ElementwiseActivation {
  if (act.kind === 'elementwise') return;
  const advice =
    act.kind === 'vector'
      ? `'${act.id}' acts on whole rows; use backward(act, x, dy) for its vector-Jacobian product`
      : `'${act.id}' is a loss; use loss(act, logits, targets) and lossGradient(act, logits, targets)`;
  throw new UnsupportedOperationError(`${method} is for elementwise activations: ${advice}.`);
}

function requireLoss(act: Activation, method: string): asserts act is LossActivation {
  if (act.kind === 'loss') return;
  throw new UnsupportedOperationError(
    `${method} is for losses such as 'softmax-cross-entropy'; '${act.id}' is ${act.kind === 'vector' ? 'a vector activation' : 'elementwise'}: use forward/backward.`,
  );
}

function typeOf(a: FloatArray): FloatType {
  return floatArrayType(a) === 'Float64Array' ? 'float64' : 'float32';
}

/**
 * The public Backend over a provider. Backend packages construct it with their provider (or
 * extend it to add what only they have: resident arrays, source export), and get every check,
 * composition and lifecycle rule of the contract from here.
 *
 * @example
 * class MyBackend extends BackendFacade<MyKernel> { constructor() { super(new MyProvider()); } }
 */
export class BackendFacade<K = unknown> implements Backend {
  readonly name: string;
  readonly supportsFloat64: boolean;
  /** The provider behind this backend (for subclasses adding their own methods). */
  protected readonly provider: BackendProvider<K>;
  readonly #kernels: KernelCache<K>;
  readonly #requests = new WeakMap<
    ElementwiseActivation,
    { slots: MapRequest[]; params: Map<string, MapRequest> }
  >();
  readonly #seen = new WeakSet<object>();
  #disposed = false;

  constructor(provider: BackendProvider<K>, options: FacadeOptions = {}) {
    this.provider = provider;
    this.name = provider.name;
    this.supportsFloat64 = provider.float64;
    this.#kernels = new KernelCache<K>(options.kernelCacheSize, provider.release?.bind(provider));
  }

  /** 'ready', 'lost' (the device is gone) or 'disposed'. */
  get state(): BackendState {
    if (this.#disposed) return 'disposed';
    return this.provider.lost?.() === undefined ? 'ready' : 'lost';
  }

  /** What the kernel cache holds and has done: kernels cached, compiles started, evictions. */
  get kernelStats(): KernelStats {
    return this.#kernels.stats;
  }

  /** Throws BackendUnavailableError after dispose() and DeviceLostError once the device is lost. */
  protected ensureReady(): void {
    if (this.#disposed) {
      throw new BackendUnavailableError(
        this.name,
        'this backend was disposed; ask the registry for a backend again.',
      );
    }
    const lost = this.provider.lost?.();
    if (lost !== undefined) throw new DeviceLostError(this.name, lost);
  }

  /** The error a failure inside the provider becomes: typed errors pass, the rest say what they are. */
  protected failure(error: unknown, what: string): Error {
    if (this.#disposed) {
      return new BackendUnavailableError(
        this.name,
        `this backend was disposed while ${what} ran; ask the registry for a backend again.`,
      );
    }
    const lost = this.provider.lost?.();
    if (lost !== undefined) return new DeviceLostError(this.name, lost);
    if (error instanceof ActivationError) return error;
    return new InternalError(this.name, `while running ${what}`, { cause: error });
  }

  /** The request of an elementwise op, built once per (activation, op, kind, type). */
  protected requestFor(
    act: ElementwiseActivation,
    op: ElementwiseOp,
    kind: 'map' | 'backward',
    type: FloatType,
  ): MapRequest {
    let cached = this.#requests.get(act);
    if (!cached) {
      cached = { slots: [], params: new Map() };
      this.#requests.set(act, cached);
    }
    const slot = (kind === 'map' ? 0 : 2) + (type === 'float32' ? 0 : 1);
    if (typeof op === 'string') {
      const index = (op === 'forward' ? 0 : 4) + slot;
      return (cached.slots[index] ??= mapRequest(act, op, kind, type));
    }
    const tag = `${op.param}|${slot}`;
    let request = cached.params.get(tag);
    if (!request) {
      request = mapRequest(act, op, kind, type);
      cached.params.set(tag, request);
    }
    return request;
  }

  /** The kernel of a request, compiled once however many calls ask at the same time. */
  protected kernel(request: OpRequest): K | Promise<K> {
    return (
      this.#kernels.get(request.key) ??
      this.#kernels.acquire(request.key, () => this.provider.compile(request))
    );
  }

  /** The kernel of a request, compiled synchronously if it is not cached. */
  protected kernelSync(request: OpRequest): K {
    const provider = this.provider as SyncBackendProvider<K>;
    return (
      this.#kernels.get(request.key) ??
      this.#kernels.acquireSync(request.key, () => provider.compileSync(request))
    );
  }

  // ---- checks and plans, shared by the synchronous and asynchronous methods ----

  #array(value: unknown, name: string): asserts value is FloatArray {
    checkFloatArray(this.name, value, this.supportsFloat64, name);
    const max = this.provider.maxLength;
    if (max !== undefined && (value as FloatArray).length > max) {
      throw new BadInputError(
        `${name} has ${(value as FloatArray).length} elements; backend '${this.name}' takes at most ${max} in one call. Split the array, or use another backend (wasm).`,
      );
    }
  }

  #gradient(x: FloatArray, dy: unknown): asserts dy is FloatArray {
    checkLike(x, dy, 'dy', this.name, this.supportsFloat64);
  }

  #out<T extends FloatArray>(x: T, out: unknown): asserts out is T | undefined {
    if (out !== undefined) checkLike(x, out, 'out', this.name, this.supportsFloat64);
  }

  /**
   * The arrays a kernel runs over for a result that goes to `out`: inputs copied where the
   * provider cannot read shared memory, and the output computed aside (then copied into `out`)
   * where `out` overlaps an input partly, where a row kernel would read what it writes, or where
   * it is shared memory the provider cannot write.
   */
  #stage(
    x: FloatArray,
    dy: FloatArray | undefined,
    out: FloatArray | undefined,
    rows: boolean,
  ): Staged {
    const canShare = this.provider.sharedMemory !== false;
    const result = out ?? newLike(x);
    let target = result;
    if (
      out !== undefined &&
      ((!canShare && isShared(out)) || !apart(out, x, rows) || !apart(out, dy, rows))
    ) {
      target = newLike(x);
    }
    return {
      x: !canShare && isShared(x) ? x.slice() : x,
      dy: dy !== undefined && !canShare && isShared(dy) ? dy.slice() : dy,
      target,
      result,
    };
  }

  /**
   * The input of a kernel whose output stays internal: in float64 where the provider computes in
   * float64 (cpu-js: intermediate results keep their digits), else x itself (copied if it is
   * shared memory the provider cannot read).
   */
  #precise(x: FloatArray): { x: FloatArray; type: FloatType } {
    if (this.supportsFloat64 && typeOf(x) === 'float32')
      return { x: Float64Array.from(x), type: 'float64' };
    return {
      x: this.provider.sharedMemory === false && isShared(x) ? x.slice() : x,
      type: typeOf(x),
    };
  }

  #plan(method: Method, act: unknown, a: unknown, b: unknown, c: unknown): Plan | Done {
    this.ensureReady();
    // activations are frozen: one that passed the check stays valid
    if (!this.#seen.has(act as object)) {
      checkActivation(act, method);
      this.#seen.add(act);
    }
    const activation = act as Activation;
    switch (method) {
      case 'forward':
      case 'derivative':
        return this.#planMap(method, activation, a, b);
      case 'backward':
        return this.#planBackward(activation, a, b, c);
      case 'paramGradient':
        return this.#planParamGradient(activation, a, b, c);
      case 'loss':
      case 'lossGradient':
        return this.#planLoss(method, activation, a, b, c);
    }
  }

  #planMap(
    method: 'forward' | 'derivative',
    act: Activation,
    x: unknown,
    out: unknown,
  ): Plan | Done {
    if (method === 'forward') rejectLoss(act, 'forward');
    else requireElementwise(act, 'derivative');
    this.#array(x, 'x');
    this.#out(x, out);
    const rows = act.kind === 'vector';
    const rowLength = rows ? resolveRowLength(x.length, act.params.rowLength!) : undefined;
    if (x.length === 0) return { done: out ?? newLike(x) };
    const staged = this.#stage(x, undefined, out, rows);
    const request = rows
      ? rowsRequest((act as VectorActivation).softmax, typeOf(x))
      : this.requestFor(act as ElementwiseActivation, method, 'map', typeOf(x));
    const job: Job = rows
      ? { x: staged.x, out: staged.target, length: x.length, rowLength: rowLength! }
      : { x: staged.x, out: staged.target, length: x.length };
    return { request, job, finish: { kind: 'copy', target: staged.target, result: staged.result } };
  }

  #planBackward(act: Activation, x: unknown, dy: unknown, out: unknown): Plan | Done {
    rejectLoss(act, 'backward');
    this.#array(x, 'x');
    this.#gradient(x, dy);
    this.#out(x, out);
    if (act.kind === 'vector') return this.#planVectorBackward(act, x, dy, out);
    if (x.length === 0) return { done: out ?? newLike(x) };
    const staged = this.#stage(x, dy, out, false);
    const request = this.requestFor(
      act as ElementwiseActivation,
      'derivative',
      'backward',
      typeOf(x),
    );
    return {
      request,
      job: { x: staged.x, dy: staged.dy!, out: staged.target, length: x.length },
      finish: { kind: 'copy', target: staged.target, result: staged.result },
    };
  }

  /**
   * The vector-Jacobian product: float64 probabilities from the row kernel (or, from a provider
   * without float64Probabilities, from core's float64 reference here), the product in float64 here.
   */
  #planVectorBackward(
    act: VectorActivation,
    x: FloatArray,
    dy: FloatArray,
    out: FloatArray | undefined,
  ): Plan | Done {
    const rowLength = resolveRowLength(x.length, act.params.rowLength!);
    const result = out ?? newLike(x);
    if (x.length === 0) return { done: result };
    const input = this.#precise(x);
    const gradient = overlap(result, dy) === 'none' ? dy : dy.slice();
    // the probabilities unrounded: float32 ones would put their rounding into every entry (up to
    // thousands of ULP where dy_i - Σ dy_j p_j cancels)
    const wide = input.type === 'float32';
    if (wide && !this.provider.float64Probabilities) {
      softmaxBackwardRows(act.softmax, input.x, gradient, rowLength, result);
      return { done: result };
    }
    const p = wide ? new Float64Array(x.length) : newLike(input.x);
    return {
      request: rowsRequest(
        { scale: act.softmax.scale, log: false },
        input.type,
        wide ? 'float64' : input.type,
      ),
      job: { x: input.x, out: p, length: x.length, rowLength },
      finish: {
        kind: 'vector-backward',
        softmax: act.softmax,
        p,
        dy: gradient,
        rowLength,
        result,
      },
    };
  }

  #planParamGradient(act: Activation, name: unknown, x: unknown, dy: unknown): Plan | Done {
    requireElementwise(act, 'paramGradient');
    if (typeof name !== 'string' || !Object.hasOwn(act.params, name)) {
      const names = Object.keys(act.params);
      const close = typeof name === 'string' ? closestNames(name, names) : [];
      throw new BadParameterError(
        act.id,
        typeof name === 'string' ? name : String(name),
        undefined,
        names.length === 0
          ? `'${act.id}' has no parameters to take a gradient for`
          : `no such parameter${close.length ? ` (did you mean '${close[0]}'?)` : ''}; '${act.id}' takes ${names.map((n) => `'${n}'`).join(', ')}`,
      );
    }
    this.#array(x, 'x');
    this.#gradient(x, dy);
    if (x.length === 0) return { done: 0 };
    const input = this.#precise(x);
    const g = newLike(input.x);
    return {
      request: this.requestFor(act, { param: name }, 'map', input.type),
      job: { x: input.x, out: g, length: x.length },
      finish: { kind: 'param-gradient', g, dy },
    };
  }

  #planLoss(
    method: 'loss' | 'lossGradient',
    act: Activation,
    logits: unknown,
    targets: unknown,
    out: unknown,
  ): Plan {
    requireLoss(act, method);
    this.#array(logits, 'logits');
    if (method === 'lossGradient') this.#out(logits, out);
    const { length } = resolveTargets(logits.length, targets as Targets, act.params.rowLength!);
    const input = this.#precise(logits);
    const p = newLike(input.x);
    const log = method === 'loss';
    return {
      request: rowsRequest({ scale: 1, log }, input.type),
      job: { x: input.x, out: p, length: logits.length, rowLength: length },
      finish: log
        ? { kind: 'loss', p, targets: targets as Targets, rowLength: length }
        : {
            kind: 'loss-gradient',
            p,
            targets: targets as Targets,
            rowLength: length,
            result: (out as FloatArray | undefined) ?? newLike(logits),
          },
    };
  }

  /**
   * The elements of a map or backward job whose inputs lie in the kernel's reference intervals
   * (BackendProvider.referenceIntervals): their x (and dy) are read now — the kernel may write in
   * place — and the returned function overwrites their results with the float64 reference's.
   * One scan of x, only for kernels that have such intervals.
   */
  #referenceFixes(kernel: K, plan: Plan): (() => void) | undefined {
    const { request, job } = plan;
    if (request.kind !== 'map' && request.kind !== 'backward') return undefined;
    const intervals = this.provider.referenceIntervals?.(kernel);
    if (!intervals || intervals.length === 0) return undefined;
    return referenceFixes(intervals, request.reference, job.x, job.dy, job.out, job.length);
  }

  /** Runs a method synchronously (SyncBackendFacade's `…Sync` methods). */
  protected runSync<R>(method: Method, act: unknown, a: unknown, b?: unknown, c?: unknown): R {
    const plan = this.#plan(method, act, a, b, c);
    if ('done' in plan) return plan.done as R;
    const provider = this.provider as SyncBackendProvider<K>;
    try {
      const kernel = this.kernelSync(plan.request);
      this.ensureReady();
      const fixes = this.#referenceFixes(kernel, plan);
      provider.runSync(kernel, plan.request, plan.job);
      fixes?.();
    } catch (error) {
      throw this.failure(error, `${method} of '${(act as Activation).id}'`);
    }
    return finish(plan.finish) as R;
  }

  /** Runs a method asynchronously. */
  protected async runAsync<R>(
    method: Method,
    act: unknown,
    a: unknown,
    b?: unknown,
    c?: unknown,
  ): Promise<R> {
    const plan = this.#plan(method, act, a, b, c);
    if ('done' in plan) return plan.done as R;
    try {
      const pending = this.kernel(plan.request);
      const kernel = pending instanceof Promise ? await pending : pending;
      this.ensureReady();
      const fixes = this.#referenceFixes(kernel, plan);
      const running = this.provider.run(kernel, plan.request, plan.job);
      if (running) await running;
      this.ensureReady();
      fixes?.();
    } catch (error) {
      throw this.failure(error, `${method} of '${(act as Activation).id}'`);
    }
    return finish(plan.finish) as R;
  }

  forward<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    return this.runAsync('forward', act, x, out);
  }

  derivative<T extends FloatArray>(act: Activation, x: T, out?: T): Promise<T> {
    return this.runAsync('derivative', act, x, out);
  }

  backward<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): Promise<T> {
    return this.runAsync('backward', act, x, dy, out);
  }

  paramGradient(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): Promise<number> {
    return this.runAsync('paramGradient', act, name, x, dy);
  }

  loss(act: LossActivation, logits: FloatArray, targets: Targets): Promise<number> {
    return this.runAsync('loss', act, logits, targets);
  }

  lossGradient<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): Promise<T> {
    return this.runAsync('lossGradient', act, logits, targets, out);
  }

  /** The requests `prepare` compiles for an activation's ops. */
  protected requestsToPrepare(act: Activation, ops: readonly PreparedOp[]): OpRequest[] {
    const types: FloatType[] = this.supportsFloat64 ? ['float32', 'float64'] : ['float32'];
    return types.flatMap((type): OpRequest[] => {
      if (act.kind === 'elementwise') {
        return ops.map((op) =>
          op === 'backward'
            ? this.requestFor(act, 'derivative', 'backward', type)
            : this.requestFor(act, op, 'map', type),
        );
      }
      if (act.kind === 'vector') {
        return [
          rowsRequest(act.softmax, type),
          ...(ops.includes('backward')
            ? [rowsRequest({ scale: act.softmax.scale, log: false }, type)]
            : []),
        ];
      }
      return [
        rowsRequest({ scale: 1, log: true }, type),
        rowsRequest({ scale: 1, log: false }, type),
      ];
    });
  }

  async prepare(act: Activation, ops: readonly PreparedOp[] = ['forward']): Promise<void> {
    this.ensureReady();
    checkActivation(act, 'prepare');
    if (
      !Array.isArray(ops) ||
      ops.some((op) => op !== 'forward' && op !== 'derivative' && op !== 'backward')
    ) {
      throw new BadInputError(
        `prepare(act, ops): ops must be an array of 'forward', 'derivative' and 'backward', got ${describeValue(ops)}.`,
      );
    }
    if (act.kind !== 'elementwise' && ops.includes('derivative'))
      requireElementwise(act, 'derivative');
    try {
      await Promise.all(this.requestsToPrepare(act, ops).map((request) => this.kernel(request)));
    } catch (error) {
      throw this.failure(error, `prepare of '${act.id}'`);
    }
  }

  /** Frees every kernel and what the provider holds; later calls throw BackendUnavailableError. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#kernels.clear();
    this.provider.dispose();
  }
}

/** The façade of a provider that can also run synchronously: adds the `…Sync` methods. */
export class SyncBackendFacade<K = unknown> extends BackendFacade<K> implements SyncBackend {
  declare protected readonly provider: SyncBackendProvider<K>;

  constructor(provider: SyncBackendProvider<K>, options: FacadeOptions = {}) {
    super(provider, options);
  }

  forwardSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    return this.runSync('forward', act, x, out);
  }

  derivativeSync<T extends FloatArray>(act: Activation, x: T, out?: T): T {
    return this.runSync('derivative', act, x, out);
  }

  backwardSync<T extends FloatArray>(act: Activation, x: T, dy: T, out?: T): T {
    return this.runSync('backward', act, x, dy, out);
  }

  paramGradientSync(
    act: ElementwiseActivation,
    name: string,
    x: FloatArray,
    dy: FloatArray,
  ): number {
    return this.runSync('paramGradient', act, name, x, dy);
  }

  lossSync(act: LossActivation, logits: FloatArray, targets: Targets): number {
    return this.runSync('loss', act, logits, targets);
  }

  lossGradientSync<T extends FloatArray>(
    act: LossActivation,
    logits: T,
    targets: Targets,
    out?: T,
  ): T {
    return this.runSync('lossGradient', act, logits, targets, out);
  }
}

/**
 * The results of a map or backward run over `x` (and `dy`) that lie in `intervals`, from the
 * float64 `reference` instead of the kernel (BackendProvider.referenceIntervals): x and dy are read
 * now — the kernel may then write in place — and the returned function overwrites those entries
 * of `out` after it ran; undefined when no input is in an interval. One scan of x.
 */
export function referenceFixes(
  intervals: ReadonlyArray<readonly [number, number]>,
  reference: (x: number) => number,
  x: ArrayLike<number>,
  dy: ArrayLike<number> | undefined,
  out: { [i: number]: number },
  length: number,
): (() => void) | undefined {
  const at: number[] = [];
  const values: number[] = [];
  // the hull of the intervals first: one comparison pair per element on the common path
  const ends = Float64Array.from(intervals.flat());
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < ends.length; k += 2) {
    lo = Math.min(lo, ends[k]!);
    hi = Math.max(hi, ends[k + 1]!);
  }
  for (let i = 0; i < length; i++) {
    const v = x[i]!;
    if (!(v >= lo && v <= hi)) continue;
    for (let k = 0; k < ends.length; k += 2) {
      if (v >= ends[k]! && v <= ends[k + 1]!) {
        at.push(i);
        values.push(reference(v) * (dy === undefined ? 1 : dy[i]!));
        break;
      }
    }
  }
  if (at.length === 0) return undefined;
  return () => {
    for (let k = 0; k < at.length; k++) out[at[k]!] = values[k]!;
  };
}
