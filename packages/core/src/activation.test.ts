import { describe, expect, it } from 'vitest';
import { defineActivation, defineLoss, defineVectorActivation } from './activation.js';
import {
  BadDefinitionError,
  BadExpressionError,
  BadInputError,
  BadParameterError,
  ParseError,
} from './errors.js';
import { interval } from './interval.js';
import { toText } from './print.js';

const quickGelu = defineActivation({ id: 'quick-gelu', forward: 'x * sigmoid(1.702 * x)' });

describe('user-defined activations', () => {
  it('gives two definitions sharing an id different keys, so backends never mix their kernels', () => {
    const a = defineActivation({ id: 'key-test', forward: 'x * x' }).create();
    const b = defineActivation({ id: 'key-test', forward: 'exp(x)' }).create();
    expect(a.key).toBe('key-test{}');
    expect(b.key).toBe('key-test#2{}');
    expect(defineActivation({ id: 'key-test', forward: 'x' }).create().key).toBe('key-test#3{}');
  });

  it('get a symbolic derivative, bounds and properties for free', () => {
    const act = quickGelu.create();
    expect(act.forward(1)).toBeCloseTo(0.8457957659328212, 15);
    const h = 1e-6;
    expect(act.derivative(0.3)).toBeCloseTo(
      (act.forward(0.3 + h) - act.forward(0.3 - h)) / (2 * h),
      8,
    );
    expect(act.bounds.derived).toBe(true);
    // sound: the true minimum (≈ -0.1643 at x ≈ -0.75) lies inside the computed range
    expect(act.bounds.output.lo).toBeLessThanOrEqual(-0.16);
    expect(act.bounds.output.lo).toBeGreaterThan(-0.3);
    expect(act.bounds.output.hi).toBe(Number.POSITIVE_INFINITY);
    expect(act.properties).toMatchObject({
      monotonic: false,
      continuity: 'smooth',
      saturates: 'left',
      zeroCentered: true,
    });
    expect(act.forward(Number.NaN)).toBeNaN();
  });

  it('take parameters with defaults, ranges and presets', () => {
    const scaledTanh = defineActivation({
      id: 'scaled-tanh',
      params: {
        a: { default: 1.7159, min: 0, minExclusive: true, description: 'amplitude' },
        b: { default: 2 / 3, description: 'slope' },
      },
      presets: { lecun: { params: { a: 1.7159, b: 2 / 3 }, description: 'LeCun 1998' } },
      forward: ({ x, p }) => ({
        kind: 'binary',
        op: 'mul',
        left: p.a!,
        right: {
          kind: 'unary',
          op: 'tanh',
          arg: { kind: 'binary', op: 'mul', left: p.b!, right: x },
        },
      }),
    });
    const act = scaledTanh.create({ a: 2 });
    expect(act.params).toEqual({ a: 2, b: 2 / 3 });
    expect(act.forward(100)).toBeCloseTo(2, 12);
    expect(act.bounds.output.lo).toBeCloseTo(-2, 12);
    expect(act.paramDerivative('a', 1)).toBeCloseTo(Math.tanh(2 / 3), 15);
    expect(scaledTanh.create('lecun').params.a).toBe(1.7159);
    expect(scaledTanh.create({ a: 2 })).toBe(act); // cached per parameter set
    expect(() => scaledTanh.create({ a: 0 })).toThrow(BadParameterError);
    expect(() => scaledTanh.create({ a: 0 })).toThrow(/'a' = 0 .*\(0, ∞\)/);
    expect(() => scaledTanh.create({ c: 1 })).toThrow(
      /unknown parameter; 'scaled-tanh' takes 'a', 'b'/,
    );
    expect(() => scaledTanh.create({ aa: 1 })).toThrow(/did you mean 'a'/);
    expect(() => scaledTanh.create({ a: '2' })).toThrow(/'a' = '2'/);
    expect(() => scaledTanh.create('nope')).toThrow(/expected one of 'lecun'/);
  });

  it('reject bad definitions clearly', () => {
    expect(() => defineActivation({ id: 'Bad_Id', forward: 'x' })).toThrow(/kebab-case/);
    expect(() => defineActivation({ id: 'uses-y', forward: 'x * y' })).toThrow(ParseError);
    expect(() => defineActivation({ id: 'undeclared', forward: 'x * k', params: {} })).toThrow(
      /Unknown name 'k'/,
    );
  });

  it('accept a hand-written derivative and declared ranges', () => {
    const act = defineActivation({
      id: 'my-sigmoid',
      forward: 'sigmoid(x)',
      derivative: 'sigmoid(x) * sigmoid(-x)',
      output: interval(0, 1, '()'),
      derivativeRange: interval(0, 0.25, '(]'),
    }).create();
    expect(act.bounds.derived).toBe(false);
    expect(toText(act.expressions.derivative)).toBe('sigmoid(x) * sigmoid(-x)');
  });
});

describe('vector activations and losses', () => {
  const softmax = defineVectorActivation({
    id: 'test-softmax',
    softmax: { scale: 1, log: false },
    output: interval(0, 1, '(]'),
    derivativeRange: interval(-0.25, 0.25, '[]'),
    properties: {
      monotonic: true,
      continuity: 'smooth',
      zeroCentered: false,
      saturates: 'both',
      zeroGradient: 'none',
      selfNormalizing: false,
    },
  });
  const logSoftmax = defineVectorActivation({
    id: 'test-log-softmax',
    softmax: { scale: 1, log: true },
    output: interval(Number.NEGATIVE_INFINITY, 0, '(]'),
    derivativeRange: interval(-1, 1, '()'),
    properties: {
      monotonic: true,
      continuity: 'smooth',
      zeroCentered: false,
      saturates: 'both',
      zeroGradient: 'none',
      selfNormalizing: false,
    },
  });

  it('softmax rows sum to 1 and match the textbook formula', () => {
    const x = [1, 2, 3, -1, 0, 1];
    const y = softmax.create({ rowLength: 3 }).forward(x);
    for (const row of [0, 3]) {
      const total = Math.exp(x[row]!) + Math.exp(x[row + 1]!) + Math.exp(x[row + 2]!);
      for (let i = 0; i < 3; i++) expect(y[row + i]).toBeCloseTo(Math.exp(x[row + i]!) / total, 15);
    }
  });

  it('never overflows and handles infinities and NaN per row', () => {
    const y = softmax
      .create({ rowLength: 2 })
      .forward([1000, 1001, Number.POSITIVE_INFINITY, 0, Number.NaN, 1]);
    expect(y[0]).toBeCloseTo(1 / (1 + Math.E), 15);
    expect([y[2], y[3]]).toEqual([1, 0]);
    expect(y[4]).toBeNaN();
    expect(y[5]).toBeNaN();
    const logs = logSoftmax.create().forward([0, -1000]);
    expect(logs[1]).toBeCloseTo(-1000, 10);
  });

  it('backward is the vector-Jacobian product (checked by finite differences)', () => {
    for (const act of [softmax.create({ rowLength: 4 }), logSoftmax.create({ rowLength: 4 })]) {
      const x = [0.3, -1.2, 2.0, 0.7, 1, 1, 1, 1];
      const dy = [0.5, -0.25, 1.5, 2, -1, 0.5, 0, 3];
      const grad = act.backward(x, dy);
      const loss = (v: number[]) => act.forward(v).reduce((s, y, i) => s + y * dy[i]!, 0);
      for (let i = 0; i < x.length; i++) {
        const h = 1e-6;
        const up = [...x];
        const down = [...x];
        up[i]! += h;
        down[i]! -= h;
        expect(grad[i]).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 7);
      }
    }
  });

  it('rejects rows that do not divide the input', () => {
    expect(() => softmax.create({ rowLength: 4 }).forward([1, 2, 3])).toThrow(
      /not a whole number of rows of 4/,
    );
  });

  it('softmax cross-entropy: loss and gradient, one-hot or class indices', () => {
    const ce = defineLoss({
      id: 'test-ce',
      loss: 'softmax-cross-entropy',
      output: interval(0, Number.POSITIVE_INFINITY, '[)'),
    });
    const act = ce.create({ rowLength: 3 });
    const logits = [2, 1, 0.1, 0.5, 2.5, -1];
    const oneHot = new Float64Array([1, 0, 0, 0, 0, 1]);
    const indices = new Int32Array([0, 2]);
    const expected =
      (-Math.log(Math.exp(2) / (Math.exp(2) + Math.exp(1) + Math.exp(0.1))) -
        Math.log(Math.exp(-1) / (Math.exp(0.5) + Math.exp(2.5) + Math.exp(-1)))) /
      2;
    expect(act.loss(logits, oneHot)).toBeCloseTo(expected, 14);
    expect(act.loss(logits, indices)).toBeCloseTo(expected, 14);
    const grad = act.gradient(logits, indices);
    for (let i = 0; i < logits.length; i++) {
      const h = 1e-6;
      const up = [...logits];
      const down = [...logits];
      up[i]! += h;
      down[i]! -= h;
      expect(grad[i]).toBeCloseTo((act.loss(up, indices) - act.loss(down, indices)) / (2 * h), 7);
    }
    // the targets sit on logits 1000 below the row maximum: loss 1000 each, no overflow
    expect(act.loss([0, 1000, 0, 1000, 0, 0], new Int32Array([0, 2]))).toBeCloseTo(1000, 10);
    expect(() => act.loss(logits, new Int32Array([0, 3]))).toThrow(
      /Class index 3 in row 1 is outside \[0, 2\]/,
    );
    expect(() => act.loss(logits, new Int32Array([0]))).toThrow(
      /one class index per row \(2 rows of 3\)/,
    );
    expect(() => act.loss(logits, new Float32Array(5))).toThrow(/one value per logit/);
    expect(() => ce.create().loss(logits, indices)).toThrow(
      /set rowLength to the number of classes/,
    );
  });
});

describe('definitions from outside are checked field by field', () => {
  const base = { forward: 'x' };

  it('ids, aliases and preset names are kebab-case; aliases unique and not the id', () => {
    for (const id of ['Bad Alias!', '', 'x\nrm -rf', '__proto__', 'a'.repeat(65), 42]) {
      expect(() => defineActivation({ ...base, id: id as string })).toThrow(BadDefinitionError);
    }
    for (const aliases of [['Bad Alias!'], [''], ['same'], ['ok', 'ok'], 'one', [7]]) {
      expect(() => defineActivation({ ...base, id: 'same', aliases: aliases as string[] })).toThrow(
        BadDefinitionError,
      );
    }
    expect(() =>
      defineActivation({
        ...base,
        id: 'p',
        presets: { 'Bad Name': { params: {}, description: '' } },
      }),
    ).toThrow(/kebab-case/);
    expect(() =>
      defineActivation({
        ...base,
        id: 'p',
        params: { a: { default: 1, description: '' } },
        presets: { ok: { params: { a: 'x' as never }, description: '' } },
      }),
    ).toThrow(/presets\.ok\.params are not valid/);
  });

  it('parameter names are identifiers that no prototype, input or function owns', () => {
    for (const name of [
      'constructor',
      '__proto__',
      'toString',
      'x',
      'pi',
      'exp',
      'a b',
      '1a',
      '(globalThis.PWNED=1)',
    ]) {
      expect(() =>
        defineActivation({
          ...base,
          id: 'p',
          params: JSON.parse(`{${JSON.stringify(name)}: {"default": 1, "description": ""}}`),
        }),
      ).toThrow(BadDefinitionError);
    }
    for (const spec of [
      { default: Number.NaN },
      { default: '1' },
      { default: 1, min: 2, max: 1 },
      { default: 1, integer: 'yes' },
      null,
    ]) {
      expect(() => defineActivation({ ...base, id: 'p', params: { a: spec as never } })).toThrow(
        BadDefinitionError,
      );
    }
  });

  it('docs are plain text: no control characters (a terminal escape would reach the CLI)', () => {
    expect(() =>
      defineActivation({ ...base, id: 'd', docs: { description: 'red \u001b[31m text' } }),
    ).toThrow(/control character/);
    expect(() =>
      defineActivation({
        ...base,
        id: 'd',
        docs: { useCases: [{ toString: () => 'x' }] as never },
      }),
    ).toThrow(/must be a string/);
    expect(() =>
      defineActivation({ ...base, id: 'd', docs: { references: [{ title: 't' }] as never } }),
    ).toThrow(/source must be a string/);
    expect(
      defineActivation({ ...base, id: 'd', docs: { description: 'two\nlines' } }).docs.description,
    ).toBe('two\nlines');
  });

  it('a formula must be text, an expression or a function; declared ranges and properties are checked when created', () => {
    for (const forward of [3, null, undefined, true, [1]]) {
      expect(() => defineActivation({ id: 'f', forward: forward as never })).toThrow(/forward/);
    }
    expect(() => defineActivation({ id: 'f', forward: () => 'x' as never })).toThrow(
      BadExpressionError,
    );
    expect(() =>
      defineActivation({ id: 'f', forward: 'x', output: { lo: 1, hi: 0 } as never }).create(),
    ).toThrow(/output must have numbers lo <= hi/);
    expect(() =>
      defineActivation({
        id: 'f',
        forward: 'x',
        properties: { monotonic: 'yes' } as never,
      }).create(),
    ).toThrow(/properties\.monotonic/);
  });

  it('keeps -0 apart from 0 in the parameter cache', () => {
    const threshold = defineActivation({
      id: 'zero-test',
      params: { value: { default: 0, description: 'value below the threshold' } },
      forward: 'x > 1 ? x : value',
    });
    const plus = threshold.create({ value: 0 });
    const minus = threshold.create({ value: -0 });
    expect(minus).not.toBe(plus);
    expect(Object.is(minus.forward(0), -0)).toBe(true);
    expect(Object.is(plus.forward(0), 0)).toBe(true);
  });

  it('refuses inherited names as parameters and presets', () => {
    const act = defineActivation({
      id: 'q',
      params: { a: { default: 1, description: '' } },
      forward: 'a * x',
    });
    expect(() => act.create(JSON.parse('{"constructor": 1}'))).toThrow(BadParameterError);
    expect(() => act.create(JSON.parse('{"__proto__": {"a": 5}}'))).toThrow(BadParameterError);
    expect(() => act.create('constructor')).toThrow(BadParameterError);
    expect(() => act.create('__proto__')).toThrow(BadParameterError);
    expect(() => act.create().paramDerivative('constructor', 1)).toThrow(BadParameterError);
    expect(() => act.create(null as never)).toThrow(BadInputError);
  });
});
