/**
 * Checks of definition specs (what `defineActivation` and friends take), which may come from
 * outside: ids, aliases, parameter specs, presets, docs, declared ranges and properties. Each
 * field is read as an own property and copied, so nothing inherited or changed later leaks in;
 * docs may not hold control characters (a terminal escape in a description reaches the CLI).
 */
import type { ParamSpec } from './activation.js';
import type { DeclaredProperties } from './properties.js';
import { BadDefinitionError } from './errors.js';
import { badParamName, describeValue } from './expression.js';
import type { Interval } from './interval.js';

/** The form of ids, aliases and preset names: kebab-case, at most 64 characters. */
export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** An own property's value (undefined when absent or inherited). */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** Is the value a plain object (not null, not an array)? */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a kebab-case name (id, alias or preset). */
export function checkName(id: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 64 || !KEBAB.test(value)) {
    const hint =
      typeof value === 'string' && value.length <= 64
        ? ` such as '${
            value
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')
              .replace(/^-+|-+$/g, '') || 'my-activation'
          }'`
        : " such as 'my-gelu'";
    throw new BadDefinitionError(
      id,
      field,
      `must be kebab-case (a-z, 0-9 and single hyphens, at most 64 characters), got ${describeValue(value)}; use a name${hint}`,
    );
  }
  return value;
}

/** Checks the aliases: kebab-case, unique, not the id itself. */
export function checkAliases(id: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value))
    throw new BadDefinitionError(
      id,
      'aliases',
      `must be an array of names, got ${describeValue(value)}`,
    );
  const seen = new Set<string>([id]);
  const aliases = value.map((alias, i) => {
    const name = checkName(id, `aliases[${i}]`, alias);
    if (seen.has(name)) {
      throw new BadDefinitionError(
        id,
        `aliases[${i}]`,
        name === id ? `repeats the id '${id}'; leave it out` : `repeats '${name}'`,
      );
    }
    seen.add(name);
    return name;
  });
  return Object.freeze(aliases);
}

// C0 and C1 controls (tab and newline are allowed in prose), bidi overrides
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function checkText(id: string, field: string, value: unknown, max: number): string {
  if (typeof value !== 'string')
    throw new BadDefinitionError(id, field, `must be a string, got ${describeValue(value)}`);
  if (value.length > max)
    throw new BadDefinitionError(id, field, `has ${value.length} characters; at most ${max}`);
  if (CONTROL.test(value))
    throw new BadDefinitionError(id, field, 'contains a control character; write plain text');
  return value;
}

function checkTextList(id: string, field: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || value.length > 64) {
    throw new BadDefinitionError(
      id,
      field,
      `must be an array of at most 64 strings, got ${describeValue(value)}`,
    );
  }
  return Object.freeze(value.map((v, i) => checkText(id, `${field}[${i}]`, v, 2000)));
}

/** The docs of a definition, every field checked (strings without control characters), missing ones empty. */
export function checkDocs(
  id: string,
  value: unknown,
): {
  name: string;
  formula: string;
  derivativeFormula: string;
  description: string;
  useCases: readonly string[];
  pros: readonly string[];
  cons: readonly string[];
  references: readonly { title: string; source: string }[];
  conventions: readonly string[];
} {
  if (value !== undefined && !isRecord(value))
    throw new BadDefinitionError(id, 'docs', `must be an object, got ${describeValue(value)}`);
  const docs = value ?? {};
  const text = (key: string, max: number, fallback: string) => {
    const v = own(docs, key);
    return v === undefined ? fallback : checkText(id, `docs.${key}`, v, max);
  };
  const references = own(docs, 'references');
  if (references !== undefined && (!Array.isArray(references) || references.length > 64)) {
    throw new BadDefinitionError(
      id,
      'docs.references',
      `must be an array of { title, source }, got ${describeValue(references)}`,
    );
  }
  return Object.freeze({
    name: text('name', 200, id),
    formula: text('formula', 2000, ''),
    derivativeFormula: text('derivativeFormula', 2000, ''),
    description: text('description', 4000, ''),
    useCases: checkTextList(id, 'docs.useCases', own(docs, 'useCases')),
    pros: checkTextList(id, 'docs.pros', own(docs, 'pros')),
    cons: checkTextList(id, 'docs.cons', own(docs, 'cons')),
    references: Object.freeze(
      ((references as unknown[] | undefined) ?? []).map((r, i) => {
        if (!isRecord(r))
          throw new BadDefinitionError(
            id,
            `docs.references[${i}]`,
            `must be { title, source }, got ${describeValue(r)}`,
          );
        return Object.freeze({
          title: checkText(id, `docs.references[${i}].title`, own(r, 'title'), 500),
          source: checkText(id, `docs.references[${i}].source`, own(r, 'source'), 500),
        });
      }),
    ),
    conventions: checkTextList(id, 'docs.conventions', own(docs, 'conventions')),
  });
}

/** Checks every parameter spec: an identifier name, finite default inside its own range, booleans, a description. */
export function checkParamSpecs(id: string, value: unknown): Readonly<Record<string, ParamSpec>> {
  if (value === undefined) return Object.freeze({});
  if (!isRecord(value))
    throw new BadDefinitionError(
      id,
      'params',
      `must be an object of parameter specs, got ${describeValue(value)}`,
    );
  const specs: Record<string, ParamSpec> = {};
  for (const name of Object.keys(value)) {
    const problem = badParamName(name);
    if (problem)
      throw new BadDefinitionError(
        id,
        `params['${name.slice(0, 40)}']`,
        `is not a usable name: ${problem}`,
      );
    const spec = value[name];
    const field = `params.${name}`;
    if (!isRecord(spec))
      throw new BadDefinitionError(
        id,
        field,
        `must be { default, description, … }, got ${describeValue(spec)}`,
      );
    const number = (key: string, required: boolean): number | undefined => {
      const v = own(spec, key);
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'number' || Number.isNaN(v) || (key === 'default' && !Number.isFinite(v))) {
        throw new BadDefinitionError(
          id,
          `${field}.${key}`,
          `must be a ${key === 'default' ? 'finite ' : ''}number, got ${describeValue(v)}`,
        );
      }
      return v;
    };
    const flag = (key: string): boolean | undefined => {
      const v = own(spec, key);
      if (v !== undefined && typeof v !== 'boolean')
        throw new BadDefinitionError(
          id,
          `${field}.${key}`,
          `must be true or false, got ${describeValue(v)}`,
        );
      return v as boolean | undefined;
    };
    const checked: ParamSpec = Object.freeze({
      default: number('default', true)!,
      ...optional('min', number('min', false)),
      ...optional('max', number('max', false)),
      ...optional('minExclusive', flag('minExclusive')),
      ...optional('maxExclusive', flag('maxExclusive')),
      ...optional('integer', flag('integer')),
      ...optional('learnable', flag('learnable')),
      description: checkText(id, `${field}.description`, own(spec, 'description') ?? '', 500),
    });
    if (checked.min !== undefined && checked.max !== undefined && checked.min > checked.max) {
      throw new BadDefinitionError(id, field, `has min ${checked.min} above max ${checked.max}`);
    }
    specs[name] = checked;
  }
  return Object.freeze(specs);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Checks a declared interval (an object from `interval(…)`). */
export function checkInterval(id: string, field: string, value: unknown): Interval {
  if (!isRecord(value))
    throw new BadDefinitionError(
      id,
      field,
      `must be an interval such as interval(0, 1), got ${describeValue(value)}`,
    );
  const [lo, hi, loClosed, hiClosed] = [
    own(value, 'lo'),
    own(value, 'hi'),
    own(value, 'loClosed'),
    own(value, 'hiClosed'),
  ];
  if (
    typeof lo !== 'number' ||
    typeof hi !== 'number' ||
    Number.isNaN(lo) ||
    Number.isNaN(hi) ||
    lo > hi
  ) {
    throw new BadDefinitionError(
      id,
      field,
      `must have numbers lo <= hi, got lo ${describeValue(lo)} and hi ${describeValue(hi)}`,
    );
  }
  if (typeof loClosed !== 'boolean' || typeof hiClosed !== 'boolean') {
    throw new BadDefinitionError(
      id,
      field,
      'must say which ends are closed; make it with interval(lo, hi, ends)',
    );
  }
  return Object.freeze({
    lo,
    hi,
    loClosed: loClosed && Number.isFinite(lo),
    hiClosed: hiClosed && Number.isFinite(hi),
  });
}

const SIDES: ReadonlySet<unknown> = new Set(['none', 'left', 'right', 'both']);
const CONTINUITY: ReadonlySet<unknown> = new Set(['discontinuous', 'C0', 'C1', 'smooth']);

/** Checks declared properties. */
export function checkProperties(id: string, value: unknown): DeclaredProperties {
  if (!isRecord(value))
    throw new BadDefinitionError(
      id,
      'properties',
      `must be an object, got ${describeValue(value)}`,
    );
  const get = (key: string, ok: (v: unknown) => boolean, expected: string) => {
    const v = own(value, key);
    if (!ok(v))
      throw new BadDefinitionError(
        id,
        `properties.${key}`,
        `must be ${expected}, got ${describeValue(v)}`,
      );
    return v;
  };
  const bool = (v: unknown) => typeof v === 'boolean';
  return Object.freeze({
    monotonic: get('monotonic', bool, 'true or false') as boolean,
    continuity: get(
      'continuity',
      (v) => CONTINUITY.has(v),
      "'discontinuous', 'C0', 'C1' or 'smooth'",
    ) as DeclaredProperties['continuity'],
    zeroCentered: get('zeroCentered', bool, 'true or false') as boolean,
    saturates: get(
      'saturates',
      (v) => SIDES.has(v),
      "'none', 'left', 'right' or 'both'",
    ) as DeclaredProperties['saturates'],
    zeroGradient: get(
      'zeroGradient',
      (v) => SIDES.has(v),
      "'none', 'left', 'right' or 'both'",
    ) as DeclaredProperties['zeroGradient'],
    selfNormalizing: get('selfNormalizing', bool, 'true or false') as boolean,
  });
}
