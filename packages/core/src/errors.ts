/**
 * Typed errors. Every failure has its own class with a stable `code`, and a message that
 * names the bad value and says what to do.
 */

/** Machine-readable error codes, one per failure kind. */
export type ActivationErrorCode =
  | 'UNKNOWN_ACTIVATION'
  | 'BAD_PARAMETER'
  | 'BAD_INPUT'
  | 'BACKEND_UNAVAILABLE'
  | 'DEVICE_LOST'
  | 'PARSE_ERROR'
  | 'UNSUPPORTED_OPERATION'
  | 'BAD_EXPRESSION'
  | 'EXPRESSION_TOO_LARGE'
  | 'BAD_DEFINITION'
  | 'ALREADY_REGISTERED'
  | 'OUT_OF_MEMORY'
  | 'WORKER_FAILED'
  | 'INTERNAL_ERROR';

/**
 * Base class of every error thrown by `@activations/*`.
 *
 * @example
 * try { registry.activation('relu7') } catch (e) { if (e instanceof ActivationError) console.log(e.code) }
 */
export class ActivationError extends Error {
  /** Stable code for programmatic handling. */
  readonly code: ActivationErrorCode;
  constructor(code: ActivationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An activation id or alias that no registered activation has. `suggestions` holds the closest ids. */
export class UnknownActivationError extends ActivationError {
  readonly id: string;
  readonly suggestions: readonly string[];
  constructor(id: string, suggestions: readonly string[]) {
    const hint =
      suggestions.length > 0
        ? ` Did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?`
        : ' Call registry.activations() to list the ids.';
    super('UNKNOWN_ACTIVATION', `Unknown activation '${id}'.${hint}`);
    this.id = id;
    this.suggestions = suggestions;
  }
}

/** A parameter that is unknown, not a number, or outside its allowed range. */
export class BadParameterError extends ActivationError {
  readonly activation: string;
  readonly parameter: string;
  readonly value: unknown;
  constructor(activation: string, parameter: string, value: unknown, expected: string) {
    super(
      'BAD_PARAMETER',
      `Bad parameter '${parameter}' = ${formatValue(value)} for activation '${activation}': ${expected}.`,
    );
    this.activation = activation;
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * An argument of the wrong type or shape: arrays of the wrong type or length, rows that do not
 * divide the input, targets that do not fit, an activation that is not one, a detached buffer.
 */
export class BadInputError extends ActivationError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/** A backend that is not supported here, failed to initialise, or was disposed. */
export class BackendUnavailableError extends ActivationError {
  readonly backend: string;
  /** Why, without the "Backend … is unavailable" frame (for messages that list several backends). */
  readonly reason: string;
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', `Backend '${backend}' is unavailable: ${reason}`, options);
    this.backend = backend;
    this.reason = reason;
  }
}

/** A GPU device that was lost; create the backend again or fall back to another one. */
export class DeviceLostError extends ActivationError {
  readonly backend: string;
  constructor(backend: string, reason: string) {
    super(
      'DEVICE_LOST',
      `Backend '${backend}' lost its device (${reason}). Ask the registry for a backend again; it will re-create or fall back.`,
    );
    this.backend = backend;
  }
}

/** Bad syntax in an expression's text form; `position` is the 0-based character offset. */
export class ParseError extends ActivationError {
  readonly source: string;
  readonly position: number;
  constructor(source: string, position: number, problem: string) {
    super(
      'PARSE_ERROR',
      `${problem} at position ${position}:\n  ${source}\n  ${' '.repeat(position)}^`,
    );
    this.source = source;
    this.position = position;
  }
}

/** An operation that this activation kind or backend does not have (the message says which to use). */
export class UnsupportedOperationError extends ActivationError {
  constructor(message: string) {
    super('UNSUPPORTED_OPERATION', message);
  }
}

/**
 * An expression tree that is not one: an unknown node kind or operator, a constant that is not a
 * finite number, an undeclared parameter, a node that refers to itself, a property that is not
 * plain data. `path` says where (e.g. `forward.left.arg`).
 */
export class BadExpressionError extends ActivationError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super('BAD_EXPRESSION', `Bad expression${path ? ` at ${path}` : ''}: ${problem}.`);
    this.path = path;
  }
}

/**
 * An expression past a documented limit: nesting depth, distinct nodes or text length (any
 * backend), the size of its printed text, or what one backend's kernels can hold ('kernel').
 */
export class ExpressionTooLargeError extends ActivationError {
  readonly limit: 'depth' | 'nodes' | 'length' | 'print' | 'kernel';
  readonly maximum: number;
  constructor(limit: ExpressionTooLargeError['limit'], maximum: number, problem: string) {
    super('EXPRESSION_TOO_LARGE', problem);
    this.limit = limit;
    this.maximum = maximum;
  }
}

/** A definition spec (`defineActivation` and friends) with a missing or malformed field. */
export class BadDefinitionError extends ActivationError {
  /** The field at fault, e.g. 'aliases[1]' or 'params.alpha.default'. */
  readonly field: string;
  constructor(id: string, field: string, problem: string) {
    super('BAD_DEFINITION', `Bad definition${id ? ` of '${id}'` : ''}: ${field} ${problem}.`);
    this.field = field;
  }
}

/** An id, alias or backend name that a registry already holds. */
export class AlreadyRegisteredError extends ActivationError {
  /** The name that is taken. */
  readonly registered: string;
  constructor(registered: string, message: string) {
    super('ALREADY_REGISTERED', message);
    this.registered = registered;
  }
}

/** The backend's memory (wasm memory, a GPU device) cannot hold what a call needs. */
export class OutOfMemoryError extends ActivationError {
  readonly backend: string;
  constructor(backend: string, problem: string, options?: { cause?: unknown }) {
    super('OUT_OF_MEMORY', `Backend '${backend}' ran out of memory: ${problem}`, options);
    this.backend = backend;
  }
}

/** A worker thread that died or failed while running a kernel; the backend goes on without it. */
export class WorkerFailedError extends ActivationError {
  readonly backend: string;
  constructor(backend: string, problem: string, options?: { cause?: unknown }) {
    super('WORKER_FAILED', `Backend '${backend}': ${problem}`, options);
    this.backend = backend;
  }
}

/** An unexpected failure inside a backend: a bug, to be reported with the message and `cause`. */
export class InternalError extends ActivationError {
  readonly backend: string;
  constructor(backend: string, what: string, options?: { cause?: unknown }) {
    const detail =
      options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? '');
    super(
      'INTERNAL_ERROR',
      `Backend '${backend}' failed unexpectedly ${what}${detail ? `: ${detail}` : ''}. This is a bug in @activations; please report it with this message.`,
      options,
    );
    this.backend = backend;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  return Object.prototype.toString.call(value);
}
