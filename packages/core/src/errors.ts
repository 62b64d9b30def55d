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
  | 'UNSUPPORTED_OPERATION';

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

/** Input arrays of the wrong type or length, or vector rows that do not divide the input. */
export class BadInputError extends ActivationError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/** A backend that is not supported here or failed to initialise. */
export class BackendUnavailableError extends ActivationError {
  readonly backend: string;
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', `Backend '${backend}' is unavailable: ${reason}`, options);
    this.backend = backend;
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
    super('PARSE_ERROR', `${problem} at position ${position}:\n  ${source}\n  ${' '.repeat(position)}^`);
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

function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Object.prototype.toString.call(value);
}
