import { readFileSync } from 'node:fs';
import {
  BadParameterError,
  canonicalize,
  compileScalar,
  containsClosure,
  contains,
  createRegistry,
  derivative,
  type ElementwiseActivation,
  type ElementwiseDefinition,
  estimateProperties,
  exprKey,
  formatInterval,
  type Interval,
  rangeOf,
  simplify,
} from '@activations/core';
import { bindParams, ulpDistanceFloat64 } from '@activations/core/backend';
import { describe, expect, it } from 'vitest';
import { SELU_CONSTANTS, zoo } from './index.js';

const reference: { values: Record<string, Array<[number, number, number]>> } = JSON.parse(
  readFileSync(new URL('./reference-values.json', import.meta.url), 'utf8'),
);

const elementwise = zoo.filter((d): d is ElementwiseDefinition => d.kind === 'elementwise');
/** sin has no limit at ±∞: NaN there is the right answer. */
const NO_LIMIT_AT_INFINITY = new Set(['sin']);

const SPECIAL = [0, -0, 1e-30, -1e-30, 88.7, -88.7, 1e4, -1e4];
const INFINITIES = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function denseGrid(): number[] {
  const xs: number[] = [];
  for (let i = -10000; i <= 10000; i++) xs.push(i / 100);
  return xs;
}
const DENSE = denseGrid();

/** Every parameter set worth checking: the defaults and each preset. */
function variants(d: ElementwiseDefinition): ElementwiseActivation[] {
  return [d.create(), ...Object.keys(d.presets).map((name) => d.create(name))];
}

describe('zoo catalogue', () => {
  it('has every activation the foundation issue lists, each with kebab-case id and full docs', () => {
    const ids = zoo.map((d) => d.id);
    for (const id of [
      'identity', 'binary-step', 'sigmoid', 'bipolar-sigmoid', 'hard-sigmoid', 'log-sigmoid', 'tanh', 'hard-tanh',
      'tanhshrink', 'softsign', 'relu', 'relu6', 'leaky-relu', 'prelu', 'elu', 'celu', 'selu', 'gelu', 'gelu-tanh',
      'silu', 'swish', 'hard-swish', 'mish', 'softplus', 'softshrink', 'hardshrink', 'threshold', 'gaussian', 'sin',
      'squareplus', 'softmax', 'log-softmax', 'softmin', 'softmax-cross-entropy',
    ]) {
      expect(ids).toContain(id);
    }
    for (const d of zoo) {
      expect(d.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(d.docs.name.length).toBeGreaterThan(0);
      expect(d.docs.formula.length).toBeGreaterThan(0);
      expect(d.docs.derivativeFormula.length).toBeGreaterThan(0);
      expect(d.docs.description.length).toBeGreaterThan(40);
      expect(d.docs.useCases.length).toBeGreaterThan(0);
      expect(d.docs.pros.length + d.docs.cons.length).toBeGreaterThan(1);
      expect(d.docs.references.length).toBeGreaterThan(0);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is written in canonical spellings (its kernels are what it defines)', () => {
    for (const d of zoo) {
      if (d.kind !== 'elementwise') continue;
      const defaults = Object.fromEntries(
        Object.entries(d.params).map(([name, spec]) => [name, spec.default]),
      );
      for (const e of [d.forward, ...(d.derivative ? [d.derivative] : [])]) {
        const own = simplify(bindParams(e, defaults));
        expect(exprKey(canonicalize(own)), d.id).toBe(exprKey(own));
      }
    }
  });

  it('registers without id or alias collisions, and resolves aliases', () => {
    const registry = createRegistry({ activations: zoo });
    expect(registry.activation('swish-1').id).toBe('silu');
    expect(registry.activation('gelu-approximate').id).toBe('gelu-tanh');
    expect(registry.activations()).toHaveLength(zoo.length);
  });

  it('has a mpmath reference for every elementwise entry', () => {
    for (const d of elementwise) expect(reference.values[d.id], d.id).toBeDefined();
  });
});

describe.each(elementwise.map((d) => [d.id, d] as const))('%s', (id, definition) => {
  const act = definition.create();
  const rows = reference.values[id]!;
  const secondDerivative = compileScalar(derivative(act.expressions.derivative));

  it('forward matches the 50-digit reference (within 8 ULP times the condition number)', () => {
    for (const [x, f, d] of rows) {
      const got = act.forward(x);
      if (Math.abs(f) < 1e-300) {
        expect(Math.abs(got), `${id}(${x})`).toBeLessThan(1e-300);
        continue;
      }
      const condition = Math.abs((x * d) / f);
      expect(ulpDistanceFloat64(got, f), `${id}(${x}) = ${got}, reference ${f}`).toBeLessThanOrEqual(8 * (1 + condition));
    }
  });

  it('derivative matches the 50-digit reference, with PyTorch’s value at kinks', () => {
    for (const [x, , d] of rows) {
      const got = act.derivative(x);
      if (Math.abs(d) < 1e-300) {
        expect(Math.abs(got), `${id}'(${x})`).toBeLessThan(1e-300);
        continue;
      }
      const second = secondDerivative(x);
      const condition = Number.isFinite(second) ? Math.abs((x * second) / d) : 0;
      expect(ulpDistanceFloat64(got, d), `${id}'(${x}) = ${got}, reference ${d}`).toBeLessThanOrEqual(8 * (1 + condition));
    }
  });

  it('derivative agrees with central finite differences away from kinks', () => {
    for (const a of variants(definition)) {
      let checked = 0;
      for (let x = -20.05; x <= 20; x += 0.173) {
        const h = 1e-6 * Math.max(1, Math.abs(x));
        const left = (a.forward(x) - a.forward(x - h)) / h;
        const right = (a.forward(x + h) - a.forward(x)) / h;
        if (Math.abs(left - right) > 1e-3 * (1 + Math.abs(left))) continue; // a kink or jump inside [x-h, x+h]
        const central = (a.forward(x + h) - a.forward(x - h)) / (2 * h);
        expect(Math.abs(a.derivative(x) - central), `${a.key}'(${x})`).toBeLessThan(1e-6 * (1 + Math.abs(central)));
        checked++;
      }
      expect(checked).toBeGreaterThan(200);
    }
  });

  it('parameter derivatives agree with finite differences in the parameter', () => {
    for (const [name, spec] of Object.entries(definition.params)) {
      const base = act.params[name]!;
      const h = 1e-6 * Math.max(1, Math.abs(base));
      const up = definition.create({ [name]: base + h });
      const down = definition.create({ [name]: spec.min !== undefined && base - h < spec.min ? base : base - h });
      const step = up.params[name]! - down.params[name]!;
      for (let x = -6.03; x <= 6; x += 0.41) {
        const fd = (up.forward(x) - down.forward(x)) / step;
        const got = act.paramDerivative(name, x);
        expect(Math.abs(got - fd), `d${id}/d${name} at ${x}`).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
      }
    }
  });

  it('gives NaN for NaN, and the true limit (never NaN) at ±∞', () => {
    expect(act.forward(Number.NaN)).toBeNaN();
    expect(act.derivative(Number.NaN)).toBeNaN();
    if (NO_LIMIT_AT_INFINITY.has(id)) return;
    for (const x of INFINITIES) {
      expect(act.forward(x), `${id}(${x})`).not.toBeNaN();
      expect(act.derivative(x), `${id}'(${x})`).not.toBeNaN();
    }
  });

  it('never gives NaN or ∞ where the true value is finite', () => {
    for (const a of variants(definition)) {
      for (const x of [...DENSE, ...SPECIAL]) {
        expect(Number.isFinite(a.derivative(x)), `${a.key}'(${x})`).toBe(true);
        const y = a.forward(x);
        // only identity-like tails reach ±∞, and only for infinite x; finite x stay finite here
        expect(Number.isFinite(y), `${a.key}(${x}) = ${y}`).toBe(true);
      }
    }
  });

  for (const which of ['output', 'derivative'] as const) {
    it(`declared ${which} range holds on dense sampling and at ±0, ±1e-30, ±88.7, ±1e4, ±∞, and is tight`, () => {
      for (const a of variants(definition)) {
        const range = (which === 'output' ? a.bounds.output : a.bounds.derivative) as Interval;
        const f = which === 'output' ? a.forward : a.derivative;
        const points = [...DENSE, ...SPECIAL, ...(NO_LIMIT_AT_INFINITY.has(id) ? [] : INFINITIES)];
        const slack = (v: number) => 4e-16 * Math.max(1, Math.abs(v));
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const x of points) {
          const y = f(x);
          lo = Math.min(lo, y);
          hi = Math.max(hi, y);
          // closure everywhere (float64 rounding can reach an open end in the tails) ...
          expect(y, `${a.key} ${which}(${x})`).toBeGreaterThanOrEqual(range.lo - slack(range.lo));
          expect(y, `${a.key} ${which}(${x})`).toBeLessThanOrEqual(range.hi + slack(range.hi));
          // ... and strictly inside open ends where nothing has saturated yet
          if (Math.abs(x) <= 10 && Number.isFinite(y)) {
            if (!range.loClosed && Number.isFinite(range.lo)) expect(y, `${a.key} ${which}(${x})`).toBeGreaterThan(range.lo);
            if (!range.hiClosed && Number.isFinite(range.hi)) expect(y, `${a.key} ${which}(${x})`).toBeLessThan(range.hi);
          }
        }
        // tight: finite ends are approached, infinite ends are exceeded by far
        const near = (end: number, seen: number) => Math.abs(end - seen) <= 1e-4 * (1 + Math.abs(end));
        if (Number.isFinite(range.lo)) expect(near(range.lo, lo), `${a.key} ${which} lo ${range.lo} vs ${lo}`).toBe(true);
        else expect(lo).toBeLessThan(-50);
        if (Number.isFinite(range.hi)) expect(near(range.hi, hi), `${a.key} ${which} hi ${range.hi} vs ${hi}`).toBe(true);
        else expect(hi).toBeGreaterThan(50);
      }
    });

    it(`declared ${which} range lies inside the interval-arithmetic enclosure`, () => {
      const range = (which === 'output' ? act.bounds.output : act.bounds.derivative) as Interval;
      const enclosure = rangeOf(which === 'output' ? act.expressions.forward : act.expressions.derivative);
      const slack = (v: number) => (Number.isFinite(v) ? 1e-12 * (1 + Math.abs(v)) : 0);
      expect(enclosure.lo).toBeLessThanOrEqual(range.lo + slack(range.lo));
      expect(enclosure.hi).toBeGreaterThanOrEqual(range.hi - slack(range.hi));
    });
  }

  it('declared properties hold numerically (defaults and every preset)', () => {
    for (const a of variants(definition)) {
      const estimated = estimateProperties({
        forward: a.forward,
        derivative: a.derivative,
        secondDerivative: compileScalar(derivative(a.expressions.derivative)),
        expressions: [a.expressions.forward, a.expressions.derivative],
      });
      const { selfNormalizing, ...declared } = a.properties;
      const { selfNormalizing: _unknowable, ...measured } = estimated;
      expect({ ...measured, boundedBelow: declared.boundedBelow, boundedAbove: declared.boundedAbove }, a.key).toEqual(declared);
      expect(declared.boundedBelow).toBe(Number.isFinite(a.bounds.output.lo));
      expect(selfNormalizing).toBe(id === 'selu');
    }
  });
});

describe('known values', () => {
  const r = createRegistry({ activations: zoo });
  const f = (id: string, x: number, params?: Record<string, number>) => (r.activation(id, params) as ElementwiseActivation).forward(x);
  const d = (id: string, x: number) => (r.activation(id) as ElementwiseActivation).derivative(x);

  it('textbook values', () => {
    expect(f('sigmoid', 0)).toBe(0.5);
    expect(d('sigmoid', 0)).toBe(0.25);
    expect(f('tanh', 0)).toBe(0);
    expect(d('tanh', 0)).toBe(1);
    expect(f('relu', -3)).toBe(0);
    expect(d('relu', 0)).toBe(0);
    expect(f('softplus', 0)).toBeCloseTo(Math.LN2, 15);
    expect(f('gelu', 1)).toBeCloseTo(0.8413447460685429, 15);
    expect(f('silu', 1)).toBeCloseTo(0.7310585786300049, 15);
    expect(f('hard-sigmoid', 3)).toBe(1);
    expect(f('hard-sigmoid', 2.5, { slope: 0.2, offset: 0.5 })).toBe(1);
    expect(f('leaky-relu', -10)).toBeCloseTo(-0.1, 15);
    expect(f('squareplus', 0)).toBe(1);
    expect(f('gaussian', 0)).toBe(1);
  });

  it('SELU constants are PyTorch’s', () => {
    expect(SELU_CONSTANTS.lambda).toBe(1.0507009873554805);
    expect(SELU_CONSTANTS.alpha).toBe(1.6732632423543772);
    expect(f('selu', 1)).toBe(SELU_CONSTANTS.lambda);
    expect(f('selu', Number.NEGATIVE_INFINITY)).toBeCloseTo(-SELU_CONSTANTS.lambda * SELU_CONSTANTS.alpha, 15);
  });

  it('keeps the far left tail that peers lose (GELU on [-13, -4], SiLU and Mish at -∞)', () => {
    expect(f('gelu', -13)).toBeLessThan(0);
    expect(Math.abs(f('gelu', -13) - -7.952313719414843e-38) / 7.952313719414843e-38).toBeLessThan(1e-13); // mpmath
    expect(f('gelu', Number.NEGATIVE_INFINITY)).toBe(0);
    expect(f('silu', Number.NEGATIVE_INFINITY)).toBe(0);
    expect(f('mish', Number.NEGATIVE_INFINITY)).toBe(0);
    expect(f('elu', -1e-30)).toBeCloseTo(-1e-30, 44);
  });

  it('framework presets', () => {
    expect(r.activation('leaky-relu', 'tfjs').params.negativeSlope).toBe(0.2);
    expect(r.activation('leaky-relu', 'keras').params.negativeSlope).toBe(0.3);
    expect(r.activation('hard-sigmoid', 'onnx').params.slope).toBe(0.2);
    expect(() => r.activation('leaky-relu', 'caffe')).toThrow(/expected one of 'pytorch', 'tfjs', 'keras'/);
  });

  it('rejects bad parameters with the allowed range', () => {
    expect(() => r.activation('leaky-relu', { negativeSlope: -1 })).toThrow(BadParameterError);
    expect(() => r.activation('leaky-relu', { negativeSlope: -1 })).toThrow(/negativeSlope.*-1.*\[0, 1\)/);
    expect(() => r.activation('elu', { alpha: Number.NaN })).toThrow(/alpha/);
    expect(() => r.activation('hard-tanh', { minValue: 2 })).toThrow(/greater than minValue/);
    expect(() => r.activation('elu', { alpah: 1 })).toThrow(/did you mean 'alpha'/);
    expect(() => r.activation('softmax', { rowLength: 2.5 })).toThrow(/integer/);
  });
});

describe('property estimates for other parameter values', () => {
  it('follow the declared per-parameter properties', () => {
    const cases: Array<[ElementwiseDefinition, Record<string, number>]> = [
      [zoo.find((d) => d.id === 'leaky-relu') as ElementwiseDefinition, { negativeSlope: 0 }],
      [zoo.find((d) => d.id === 'elu') as ElementwiseDefinition, { alpha: 2 }],
      [zoo.find((d) => d.id === 'prelu') as ElementwiseDefinition, { alpha: -0.5 }],
      [zoo.find((d) => d.id === 'threshold') as ElementwiseDefinition, { threshold: 1, value: -2 }],
      [zoo.find((d) => d.id === 'threshold') as ElementwiseDefinition, { threshold: -1, value: 3 }],
      [zoo.find((d) => d.id === 'hard-tanh') as ElementwiseDefinition, { minValue: 0, maxValue: 2 }],
    ];
    for (const [definition, params] of cases) {
      const a = definition.create(params);
      const estimated = estimateProperties({
        forward: a.forward,
        derivative: a.derivative,
        secondDerivative: compileScalar(derivative(a.expressions.derivative)),
        expressions: [a.expressions.forward, a.expressions.derivative],
      });
      const { boundedAbove: _a, boundedBelow: _b, ...declared } = a.properties;
      expect(estimated, a.key).toEqual(declared);
      for (const x of [-5, -1, 0, 1, 5]) {
        expect(containsClosure(a.bounds.output, a.forward(x)), `${a.key}(${x})`).toBe(true);
      }
    }
  });

  it('open ends are not attained for finite moderate x', () => {
    const sigmoid = createRegistry({ activations: zoo }).activation('sigmoid') as ElementwiseActivation;
    expect(contains(sigmoid.bounds.output, sigmoid.forward(10))).toBe(true);
    expect(contains(sigmoid.bounds.output, 1)).toBe(false);
  });
});

describe('README', () => {
  it('lists every activation with its output range', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const d of zoo) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${d.id}\``));
      expect(row, d.id).toBeDefined();
      expect(row).toContain(formatInterval(d.create().bounds.output));
    }
  });
});
