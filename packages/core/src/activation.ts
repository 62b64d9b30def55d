/**
 * Activation definitions (the zoo's and users') and resolved activations (a definition with its
 * parameters bound): forward and derivative as expressions and float64 functions, bounds,
 * properties and docs.
 */
import { canonicalize } from './canonical.js';
import { derivative } from './derivative.js';
import { BadDefinitionError, BadInputError, BadParameterError } from './errors.js';
import { compileScalar, type ScalarFunction } from './evaluate.js';
import { bindParams, describeValue, type Expr, param, x } from './expression.js';
import { enclosureToInterval, type Interval, rangeOf } from './interval.js';
import { parseExpression } from './parse.js';
import { type DeclaredProperties, estimateProperties, type Properties } from './properties.js';
import { guardNaN, simplify } from './simplify.js';
import {
  checkAliases,
  checkDocs,
  checkInterval,
  checkName,
  checkParamSpecs,
  checkProperties,
  isRecord,
  own,
} from './spec.js';
import { numberKey } from './structure.js';
import { closestNames } from './suggest.js';
import { validateExpression } from './validate.js';
import {
  type SoftmaxSpec,
  softmaxBackwardRows,
  softmaxCrossEntropy,
  softmaxCrossEntropyGradient,
  softmaxRows,
  type Targets,
} from './vector.js';

/** A parameter's default, allowed range and meaning. */
export interface ParamSpec {
  readonly default: number;
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  readonly min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
  /** Trained with the network (PReLU's alpha); backends give its gradient. */
  readonly learnable?: boolean;
  readonly description: string;
}

/** A literature or framework reference. */
export interface Reference {
  readonly title: string;
  /** e.g. 'arXiv:1606.08415' or 'PyTorch torch.nn.GELU' */
  readonly source: string;
}

/** What a person reading the catalogue needs. */
export interface Docs {
  /** Display name, e.g. 'Leaky ReLU'. */
  readonly name: string;
  /** The function in LaTeX. */
  readonly formula: string;
  /** Its derivative in LaTeX. */
  readonly derivativeFormula: string;
  /** One paragraph. */
  readonly description: string;
  /** Where it is used, e.g. 'transformer FFN'. */
  readonly useCases: readonly string[];
  readonly pros: readonly string[];
  readonly cons: readonly string[];
  readonly references: readonly Reference[];
  /** How frameworks differ (defaults, names, approximations). */
  readonly conventions: readonly string[];
}

/** A named parameter set matching one framework's convention. */
export interface Preset {
  readonly params: Readonly<Record<string, number>>;
  readonly description: string;
}

/** Parameter values as numbers. */
export type ParamValues = Readonly<Record<string, number>>;

/** The expression context a definition's formulas get: `x` and its parameters as expressions. */
export interface FormulaContext {
  readonly x: Expr;
  readonly p: Readonly<Record<string, Expr>>;
}

/** A formula: an expression, its text form, or a function of the context. */
export type Formula = Expr | string | ((ctx: FormulaContext) => Expr);

/** Either a value, or a function of the resolved parameter values. */
export type PerParams<T> = T | ((p: ParamValues) => T);

/** Output and derivative ranges. `derived`: computed by interval evaluation, not declared. */
export interface Bounds {
  readonly output: Interval;
  /** Range of f' (elementwise), of Jacobian entries (vector); null for losses. */
  readonly derivative: Interval | null;
  readonly derived: boolean;
}

interface CommonSpec {
  /** kebab-case id, e.g. 'leaky-relu'. */
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly params?: Readonly<Record<string, ParamSpec>>;
  readonly presets?: Readonly<Record<string, Preset>>;
  readonly docs?: Partial<Docs>;
  /** Extra checks across parameters; return a message when invalid. */
  readonly validate?: (p: ParamValues) => { parameter: string; expected: string } | undefined;
}

/** What `defineActivation` takes for an elementwise activation. */
export interface ElementwiseSpec extends CommonSpec {
  readonly kind?: 'elementwise';
  readonly forward: Formula;
  /** A closed form of f'; when absent it is derived symbolically from `forward`. */
  readonly derivative?: Formula;
  /** The exact output range; when absent it is computed by interval evaluation. */
  readonly output?: PerParams<Interval>;
  /** The exact range of f'; when absent it is computed by interval evaluation. */
  readonly derivativeRange?: PerParams<Interval>;
  /** Declared properties; when absent they are estimated numerically. */
  readonly properties?: PerParams<DeclaredProperties>;
}

/** What `defineVectorActivation` takes: a member of the softmax family over rows. */
export interface VectorSpec extends CommonSpec {
  readonly softmax: SoftmaxSpec;
  readonly output: Interval;
  readonly derivativeRange: Interval;
  readonly properties: DeclaredProperties;
}

/** What `defineLoss` takes: softmax fused with cross-entropy. */
export interface LossSpec extends CommonSpec {
  readonly loss: 'softmax-cross-entropy';
  readonly output: Interval;
}

interface DefinitionBase<A> {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly presets: Readonly<Record<string, Preset>>;
  readonly docs: Docs;
  /**
   * The activation with these parameters (defaults for the rest), or a named preset.
   * Results are cached per parameter set.
   *
   * @example zoo.leakyRelu.create({ negativeSlope: 0.2 })
   */
  create(params?: Readonly<Record<string, unknown>> | string): A;
}

/** An elementwise activation's definition: its formula with parameters still free. */
export interface ElementwiseDefinition extends DefinitionBase<ElementwiseActivation> {
  readonly kind: 'elementwise';
  readonly forward: Expr;
  readonly derivative: Expr | undefined;
}

/** A vector activation's definition. */
export interface VectorDefinition extends DefinitionBase<VectorActivation> {
  readonly kind: 'vector';
  readonly softmax: SoftmaxSpec;
}

/** A loss definition. */
export interface LossDefinition extends DefinitionBase<LossActivation> {
  readonly kind: 'loss';
}

/** Any activation definition. */
export type ActivationDefinition = ElementwiseDefinition | VectorDefinition | LossDefinition;

interface ActivationBase<D> {
  readonly id: string;
  readonly aliases: readonly string[];
  /** Every parameter's value, defaults included. */
  readonly params: ParamValues;
  /**
   * A string unique to (definition, params): backends cache compiled kernels under it. It is
   * `id{params}` ('gelu{}'), with `#n` after the id for the n-th definition reusing an id.
   */
  readonly key: string;
  readonly bounds: Bounds;
  readonly properties: Properties;
  readonly docs: Docs;
  readonly definition: D;
}

/** An elementwise activation with its parameters bound. */
export interface ElementwiseActivation extends ActivationBase<ElementwiseDefinition> {
  readonly kind: 'elementwise';
  /** Simplified expressions with parameters bound (for display and analysis). */
  readonly expressions: { readonly forward: Expr; readonly derivative: Expr };
  /** The same, NaN-guarded (NaN in gives NaN out): what backends compile. */
  readonly kernels: { readonly forward: Expr; readonly derivative: Expr };
  /** f(x) in float64: the reference every backend is checked against. */
  forward(x: number): number;
  /** f'(x) in float64 (PyTorch's value at kinks). */
  derivative(x: number): number;
  /** ∂f/∂p at x, for a parameter p (e.g. PReLU's learnable alpha). */
  paramDerivative(name: string, x: number): number;
  /** ∂f/∂p as a NaN-guarded expression with parameters bound (what backends compile). */
  paramDerivativeExpression(name: string): Expr;
}

/** A softmax-family activation over rows of `params.rowLength` (0: the whole array is one row). */
export interface VectorActivation extends ActivationBase<VectorDefinition> {
  readonly kind: 'vector';
  readonly softmax: SoftmaxSpec;
  /** The float64 reference over rows. */
  forward(x: ArrayLike<number>): Float64Array;
  /** The float64 vector-Jacobian product over rows. */
  backward(x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array;
}

/** Softmax cross-entropy over rows of `params.rowLength` classes; targets one-hot or class indices. */
export interface LossActivation extends ActivationBase<LossDefinition> {
  readonly kind: 'loss';
  /** Mean loss over rows, in float64. */
  loss(logits: ArrayLike<number>, targets: Targets): number;
  /** d(mean loss)/d logits = (softmax - t) / rows, in float64. */
  gradient(logits: ArrayLike<number>, targets: Targets): Float64Array;
}

/** Any resolved activation. */
export type Activation = ElementwiseActivation | VectorActivation | LossActivation;

function describeRange(s: ParamSpec): string {
  const lo = s.min === undefined ? '(-∞' : `${s.minExclusive ? '(' : '['}${s.min}`;
  const hi = s.max === undefined ? '∞)' : `${s.max}${s.maxExclusive ? ')' : ']'}`;
  return `${s.integer ? 'an integer' : 'a finite number'} in ${lo}, ${hi}`;
}

/**
 * Validates parameter values against the specs and fills in defaults. Only own properties count:
 * `{ constructor: 1 }` is an unknown parameter like any other.
 */
export function resolveParams(
  id: string,
  specs: Readonly<Record<string, ParamSpec>>,
  given: Readonly<Record<string, unknown>>,
  presets: Readonly<Record<string, Preset>> = {},
): ParamValues {
  if (!isRecord(given)) {
    throw new BadInputError(
      `Parameters for '${id}' must be an object such as { ${Object.keys(specs)[0] ?? 'alpha'}: 1 } or a preset name, got ${describeValue(given)}.`,
    );
  }
  const names = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      const close = closestNames(name, names);
      const expected =
        names.length === 0
          ? `'${id}' has no parameters`
          : `unknown parameter${close.length ? ` (did you mean '${close[0]}'?)` : ''}; '${id}' takes ${names.map((n) => `'${n}'`).join(', ')}`;
      throw new BadParameterError(id, name, given[name], expected);
    }
  }
  const values: Record<string, number> = {};
  for (const name of names) {
    const spec = specs[name]!;
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!spec.integer || Number.isInteger(value)) &&
      (spec.min === undefined || (spec.minExclusive ? value > spec.min : value >= spec.min)) &&
      (spec.max === undefined || (spec.maxExclusive ? value < spec.max : value <= spec.max));
    if (!ok) {
      const hint = Object.keys(presets).length
        ? `; presets: ${Object.keys(presets).join(', ')}`
        : '';
      throw new BadParameterError(
        id,
        name,
        value,
        `expected ${describeRange(spec)} (${spec.description})${hint}`,
      );
    }
    values[name] = value as number;
  }
  return Object.freeze(values);
}

/**
 * A formula as a checked expression: text is parsed, an expression or a function's result is
 * validated (see validateExpression), so whatever the spec holds, what reaches a backend is safe.
 */
function formulaToExpr(
  id: string,
  field: string,
  formula: unknown,
  paramNamesList: readonly string[],
): Expr {
  const label = field;
  if (typeof formula === 'string') {
    return validateExpression(parseExpression(formula, { params: paramNamesList }), {
      params: paramNamesList,
      label,
    });
  }
  if (typeof formula === 'function') {
    const p: Record<string, Expr> = {};
    for (const name of paramNamesList) p[name] = param(name);
    return validateExpression(formula({ x, p: Object.freeze(p) }), {
      params: paramNamesList,
      label,
    });
  }
  if (isRecord(formula)) return validateExpression(formula, { params: paramNamesList, label });
  throw new BadDefinitionError(
    id,
    field,
    `must be a formula: text such as 'x * sigmoid(x)', an expression, or ({ x, p }) => expression; got ${describeValue(formula)}`,
  );
}

function perParams<T>(
  value: PerParams<T> | undefined,
  p: ParamValues,
  check: (v: unknown) => T,
): T | undefined {
  const v = typeof value === 'function' ? (value as (p: ParamValues) => T)(p) : value;
  return v === undefined ? undefined : check(v);
}

function derivedProperties(output: Interval, declared: DeclaredProperties): Properties {
  return Object.freeze({
    ...declared,
    boundedBelow: Number.isFinite(output.lo),
    boundedAbove: Number.isFinite(output.hi),
  });
}

/** How many definitions have used each id: a second definition of 'x' gets keys 'x#2{…}'. */
const definitionsById = new Map<string, number>();

/** Activations kept per definition (least recently created out first). */
const ACTIVATION_CACHE = 256;

/** The cache key of a parameter set: JSON, with -0 kept apart from 0. */
function paramsKey(values: ParamValues): string {
  return `{${Object.keys(values)
    .map((name) => `${JSON.stringify(name)}:${numberKey(values[name]!)}`)
    .join(',')}}`;
}

function makeCreate<A extends { params: ParamValues }>(
  spec: CommonSpec,
  specs: Readonly<Record<string, ParamSpec>>,
  presets: Readonly<Record<string, Preset>>,
  build: (values: ParamValues, key: string) => A,
): (params?: Readonly<Record<string, unknown>> | string) => A {
  const cache = new Map<string, A>();
  // keys are unique per definition, so two definitions sharing an id never share compiled kernels
  const serial = (definitionsById.get(spec.id) ?? 0) + 1;
  definitionsById.set(spec.id, serial);
  const keyBase = serial === 1 ? spec.id : `${spec.id}#${serial}`;
  const validate = spec.validate;
  return (given = {}) => {
    let values: Readonly<Record<string, unknown>>;
    if (typeof given === 'string') {
      if (!Object.hasOwn(presets, given)) {
        const names = Object.keys(presets);
        const close = closestNames(given, names);
        throw new BadParameterError(
          spec.id,
          'preset',
          given,
          names.length
            ? `expected one of ${names.map((n) => `'${n}'`).join(', ')}${close.length ? ` (did you mean '${close[0]}'?)` : ''}`
            : `'${spec.id}' has no presets`,
        );
      }
      values = presets[given]!.params;
    } else {
      values = given;
    }
    const resolved = resolveParams(spec.id, specs, values, presets);
    const problem = validate?.(resolved);
    if (problem)
      throw new BadParameterError(
        spec.id,
        problem.parameter,
        resolved[problem.parameter],
        problem.expected,
      );
    const key = `${keyBase}${paramsKey(resolved)}`;
    let activation = cache.get(key);
    if (activation) {
      cache.delete(key); // most recent last
    } else {
      activation = build(resolved, key);
      if (cache.size >= ACTIVATION_CACHE) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, activation);
    return activation;
  };
}

/** Checks the fields every kind of spec has, and returns them copied. */
function commonSpec(
  kind: string,
  spec: unknown,
): {
  id: string;
  aliases: readonly string[];
  params: Readonly<Record<string, ParamSpec>>;
  docs: Docs;
  rawPresets: unknown;
  validate: CommonSpec['validate'];
} {
  if (!isRecord(spec)) {
    throw new BadDefinitionError(
      '',
      kind,
      `takes a spec object such as { id: 'my-gelu', forward: 'x * sigmoid(1.702 * x)' }, got ${describeValue(spec)}`,
    );
  }
  const id = checkName('', 'id', own(spec, 'id'));
  const validate = own(spec, 'validate');
  if (validate !== undefined && typeof validate !== 'function') {
    throw new BadDefinitionError(
      id,
      'validate',
      `must be a function of the parameter values, got ${describeValue(validate)}`,
    );
  }
  return {
    id,
    aliases: checkAliases(id, own(spec, 'aliases')),
    params: checkParamSpecs(id, own(spec, 'params')),
    docs: checkDocs(id, own(spec, 'docs')),
    rawPresets: own(spec, 'presets'),
    validate: validate as CommonSpec['validate'],
  };
}

/** Checks presets: kebab-case names, descriptions, and parameter values the specs accept. */
function checkPresets(
  id: string,
  value: unknown,
  specs: Readonly<Record<string, ParamSpec>>,
): Readonly<Record<string, Preset>> {
  if (value === undefined) return Object.freeze({});
  if (!isRecord(value))
    throw new BadDefinitionError(
      id,
      'presets',
      `must be an object of presets, got ${describeValue(value)}`,
    );
  const presets: Record<string, Preset> = {};
  for (const name of Object.keys(value)) {
    checkName(id, `presets['${name.slice(0, 40)}']`, name);
    const preset = value[name];
    if (!isRecord(preset) || !isRecord(own(preset, 'params'))) {
      throw new BadDefinitionError(
        id,
        `presets.${name}`,
        `must be { params: { … }, description }, got ${describeValue(preset)}`,
      );
    }
    const params = own(preset, 'params') as Record<string, unknown>;
    try {
      resolveParams(id, specs, params);
    } catch (error) {
      throw new BadDefinitionError(
        id,
        `presets.${name}.params`,
        `are not valid: ${(error as Error).message}`,
      );
    }
    const description = own(preset, 'description') ?? '';
    checkDocs(id, { name: description });
    presets[name] = Object.freeze({
      params: Object.freeze({ ...(params as Record<string, number>) }),
      description: description as string,
    });
  }
  return Object.freeze(presets);
}

/**
 * Defines an elementwise activation from a formula. The derivative, output range, derivative range
 * and properties are derived when not given (symbolic derivative, interval evaluation, sampling).
 * Use it for your own activations; they then run on every backend.
 *
 * @example
 * const quickGelu = defineActivation({ id: 'quick-gelu', forward: 'x * sigmoid(1.702 * x)' });
 * quickGelu.create().derivative(1); // symbolic derivative, evaluated in float64
 */
export function defineActivation(spec: ElementwiseSpec): ElementwiseDefinition {
  const common = commonSpec('defineActivation', spec);
  const { id, params: specs } = common;
  const presets = checkPresets(id, common.rawPresets, specs);
  const names = Object.keys(specs);
  if (own(spec, 'forward') === undefined)
    throw new BadDefinitionError(
      id,
      'forward',
      "is missing; give the formula, e.g. forward: 'x * sigmoid(x)'",
    );
  const forward = formulaToExpr(id, 'forward', own(spec, 'forward'), names);
  const given = own(spec, 'derivative');
  const handDerivative =
    given === undefined ? undefined : formulaToExpr(id, 'derivative', given, names);
  const checked: ElementwiseSpec = Object.freeze({
    id,
    forward,
    ...(own(spec, 'output') === undefined
      ? {}
      : { output: own(spec, 'output') as PerParams<Interval> }),
    ...(own(spec, 'derivativeRange') === undefined
      ? {}
      : { derivativeRange: own(spec, 'derivativeRange') as PerParams<Interval> }),
    ...(own(spec, 'properties') === undefined
      ? {}
      : { properties: own(spec, 'properties') as PerParams<DeclaredProperties> }),
    ...(common.validate ? { validate: common.validate } : {}),
  });
  const definition: ElementwiseDefinition = {
    kind: 'elementwise',
    id,
    aliases: common.aliases,
    params: specs,
    presets,
    docs: common.docs,
    forward,
    derivative: handDerivative,
    create: makeCreate(checked, specs, presets, (values, key) =>
      buildElementwise(definition, checked, values, key),
    ),
  };
  return Object.freeze(definition);
}

function buildElementwise(
  definition: ElementwiseDefinition,
  spec: ElementwiseSpec,
  values: ParamValues,
  key: string,
): ElementwiseActivation {
  // canonical spellings: x/(1+exp(-x)) gets x·σ(x)'s derivative, reference and kernels
  const forwardExpr = canonicalize(bindParams(definition.forward, values));
  const derivativeExpr = canonicalize(
    definition.derivative ? bindParams(definition.derivative, values) : derivative(forwardExpr),
  );
  const kernels = Object.freeze({
    forward: guardNaN(forwardExpr),
    derivative: guardNaN(derivativeExpr),
  });
  const forward = compileScalar(kernels.forward);
  const derivativeFn = compileScalar(kernels.derivative);
  const declaredOutput = perParams(spec.output, values, (v) =>
    checkInterval(definition.id, 'output', v),
  );
  const declaredDerivative = perParams(spec.derivativeRange, values, (v) =>
    checkInterval(definition.id, 'derivativeRange', v),
  );
  const output = declaredOutput ?? enclosureToInterval(rangeOf(forwardExpr));
  const derivativeRange = declaredDerivative ?? enclosureToInterval(rangeOf(derivativeExpr));
  const declared =
    perParams(spec.properties, values, (v) => checkProperties(definition.id, v)) ??
    estimateProperties({
      forward,
      derivative: derivativeFn,
      secondDerivative: compileScalar(derivative(derivativeExpr)),
      expressions: [forwardExpr, derivativeExpr],
    });
  const paramExpressions = new Map<string, Expr>();
  const paramFunctions = new Map<string, ScalarFunction>();
  const paramDerivativeExpression = (name: string): Expr => {
    if (typeof name !== 'string' || !Object.hasOwn(values, name)) {
      const names = Object.keys(values);
      const close = typeof name === 'string' ? closestNames(name, names) : [];
      throw new BadParameterError(
        definition.id,
        String(name),
        undefined,
        `no such parameter${close.length ? ` (did you mean '${close[0]}'?)` : ''}; '${definition.id}' takes ${names.join(', ') || 'none'}`,
      );
    }
    let e = paramExpressions.get(name);
    if (!e) {
      const others = { ...values };
      delete others[name];
      e = guardNaN(
        simplify(
          bindParams(derivative(bindParams(definition.forward, others), { param: name }), values),
        ),
      );
      paramExpressions.set(name, e);
    }
    return e;
  };
  return Object.freeze({
    kind: 'elementwise',
    id: definition.id,
    aliases: definition.aliases,
    params: values,
    key,
    bounds: Object.freeze({
      output,
      derivative: derivativeRange,
      derived: declaredOutput === undefined || declaredDerivative === undefined,
    }),
    properties: derivedProperties(output, declared),
    docs: definition.docs,
    definition,
    expressions: Object.freeze({ forward: forwardExpr, derivative: derivativeExpr }),
    kernels,
    forward,
    derivative: derivativeFn,
    paramDerivativeExpression,
    paramDerivative(name: string, xValue: number): number {
      let f = paramFunctions.get(name);
      if (!f) {
        f = compileScalar(paramDerivativeExpression(name));
        paramFunctions.set(name, f);
      }
      return f(xValue);
    },
  } satisfies ElementwiseActivation);
}

const ROW_LENGTH: ParamSpec = {
  default: 0,
  min: 0,
  integer: true,
  description: 'length of each row (the softmax axis); 0 treats the whole array as one row',
};

function checkSoftmax(id: string, value: unknown): SoftmaxSpec {
  const scale = isRecord(value) ? own(value, 'scale') : undefined;
  const log = isRecord(value) ? own(value, 'log') : undefined;
  if (
    typeof scale !== 'number' ||
    !Number.isFinite(scale) ||
    scale === 0 ||
    typeof log !== 'boolean'
  ) {
    throw new BadDefinitionError(
      id,
      'softmax',
      `must be { scale: a finite nonzero number, log: true or false }, got ${describeValue(value)}`,
    );
  }
  return Object.freeze({ scale, log });
}

/**
 * Defines a softmax-family activation over rows. It gets a `rowLength` parameter.
 *
 * @example defineVectorActivation({ id: 'softmin', softmax: { scale: -1, log: false }, ... })
 */
export function defineVectorActivation(spec: VectorSpec): VectorDefinition {
  const common = commonSpec('defineVectorActivation', spec);
  const { id, docs } = common;
  const specs = Object.freeze({ rowLength: ROW_LENGTH, ...common.params });
  const presets = checkPresets(id, common.rawPresets, specs);
  const softmax = checkSoftmax(id, own(spec, 'softmax'));
  const output = checkInterval(id, 'output', own(spec, 'output'));
  const derivativeRange = checkInterval(id, 'derivativeRange', own(spec, 'derivativeRange'));
  const properties = checkProperties(id, own(spec, 'properties'));
  const definition: VectorDefinition = {
    kind: 'vector',
    id,
    aliases: common.aliases,
    params: specs,
    presets,
    docs,
    softmax,
    create: makeCreate(
      { id, ...(common.validate ? { validate: common.validate } : {}) },
      specs,
      presets,
      (values, key) =>
        Object.freeze({
          kind: 'vector',
          id,
          aliases: definition.aliases,
          params: values,
          key,
          bounds: Object.freeze({ output, derivative: derivativeRange, derived: false }),
          properties: derivedProperties(output, properties),
          docs,
          definition,
          softmax,
          forward(input: ArrayLike<number>) {
            const out = new Float64Array(input.length);
            softmaxRows(softmax, input, values.rowLength!, out);
            return out;
          },
          backward(input: ArrayLike<number>, dy: ArrayLike<number>) {
            const out = new Float64Array(input.length);
            softmaxBackwardRows(softmax, input, dy, values.rowLength!, out);
            return out;
          },
        } satisfies VectorActivation),
    ),
  };
  return Object.freeze(definition);
}

/**
 * Defines softmax cross-entropy over rows of `rowLength` classes.
 *
 * @example defineLoss({ id: 'softmax-cross-entropy', loss: 'softmax-cross-entropy', output: interval(0, Infinity, '[)') })
 */
export function defineLoss(spec: LossSpec): LossDefinition {
  const common = commonSpec('defineLoss', spec);
  const { id, docs } = common;
  if (own(spec, 'loss') !== 'softmax-cross-entropy') {
    throw new BadDefinitionError(
      id,
      'loss',
      `must be 'softmax-cross-entropy' (the one loss there is), got ${describeValue(own(spec, 'loss'))}`,
    );
  }
  const specs = Object.freeze({
    rowLength: {
      ...ROW_LENGTH,
      description: 'number of classes per row; 0 treats the whole array as one row',
    },
    ...common.params,
  });
  const presets = checkPresets(id, common.rawPresets, specs);
  const output = checkInterval(id, 'output', own(spec, 'output'));
  const definition: LossDefinition = {
    kind: 'loss',
    id,
    aliases: common.aliases,
    params: specs,
    presets,
    docs,
    create: makeCreate(
      { id, ...(common.validate ? { validate: common.validate } : {}) },
      specs,
      presets,
      (values, key) =>
        Object.freeze({
          kind: 'loss',
          id,
          aliases: definition.aliases,
          params: values,
          key,
          bounds: Object.freeze({ output, derivative: null, derived: false }),
          properties: derivedProperties(output, {
            monotonic: false,
            continuity: 'smooth',
            zeroCentered: false,
            saturates: 'none',
            zeroGradient: 'none',
            selfNormalizing: false,
          }),
          docs,
          definition,
          loss: (logits: ArrayLike<number>, targets: Targets) =>
            softmaxCrossEntropy(logits, targets, values.rowLength!),
          gradient(logits: ArrayLike<number>, targets: Targets) {
            const out = new Float64Array(logits.length);
            softmaxCrossEntropyGradient(logits, targets, values.rowLength!, out);
            return out;
          },
        } satisfies LossActivation),
    ),
  };
  return Object.freeze(definition);
}

const KINDS: ReadonlySet<unknown> = new Set(['elementwise', 'vector', 'loss']);

/** True for a resolved activation (as opposed to a definition, an id or anything else). */
export function isActivation(value: unknown): value is Activation {
  if (!isRecord(value)) return false;
  const kind = own(value, 'kind');
  if (
    !KINDS.has(kind) ||
    typeof own(value, 'key') !== 'string' ||
    typeof own(value, 'id') !== 'string'
  )
    return false;
  if (!isRecord(own(value, 'definition')) || !isRecord(own(value, 'params'))) return false;
  if (kind === 'elementwise')
    return isRecord(own(value, 'kernels')) && typeof own(value, 'forward') === 'function';
  if (kind === 'vector') return isRecord(own(value, 'softmax'));
  return typeof own(value, 'loss') === 'function';
}

/** True for an activation definition (what `defineActivation` returns; `create()` it to get an activation). */
export function isDefinition(value: unknown): value is ActivationDefinition {
  return (
    isRecord(value) &&
    KINDS.has(own(value, 'kind')) &&
    typeof own(value, 'id') === 'string' &&
    typeof own(value, 'create') === 'function' &&
    !Object.hasOwn(value, 'definition')
  );
}
