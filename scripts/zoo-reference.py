"""Reference values of every elementwise zoo activation and its derivative (default parameters),
computed with mpmath at 50 digits and rounded to float64: packages/zoo/src/reference-values.json.
Derivatives at kinks follow PyTorch (relu'(0) = 0 and so on). Run: python3 scripts/zoo-reference.py
"""
import json

import mpmath as mp

mp.mp.dps = 50
s = lambda x: 1 / (1 + mp.exp(-x))
sp = lambda x: mp.log1p(mp.exp(x))
sech2 = lambda x: 1 / mp.cosh(x) ** 2
K = mp.sqrt(2 / mp.pi)
C = mp.mpf('0.044715')
LAM = mp.mpf('1.0507009873554804934193349852946')
ALPHA = mp.mpf('1.6732632423543772848170429916717')
u = lambda x: K * (x + C * x**3)
clamp = lambda v, lo, hi: min(max(v, lo), hi)


def tanhshrink(x):
    with mp.workdps(400):  # x - tanh x cancels about 2 log10(1/|x|) digits
        return +(x - mp.tanh(x))

F = {
    'identity': (lambda x: x, lambda x: 1),
    'binary-step': (lambda x: 1 if x >= 0 else 0, lambda x: 0),
    'sigmoid': (s, lambda x: s(x) * s(-x)),
    'bipolar-sigmoid': (lambda x: mp.tanh(x / 2), lambda x: 2 * s(x) * s(-x)),
    'hard-sigmoid': (lambda x: clamp(x / 6 + mp.mpf(1) / 2, 0, 1), lambda x: mp.mpf(1) / 6 if -3 < x < 3 else 0),
    'log-sigmoid': (lambda x: -sp(-x), lambda x: s(-x)),
    'tanh': (mp.tanh, lambda x: sech2(x)),
    'hard-tanh': (lambda x: clamp(x, -1, 1), lambda x: 1 if -1 < x < 1 else 0),
    'tanhshrink': (lambda x: tanhshrink(x), lambda x: mp.tanh(x) ** 2),
    'softsign': (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    'relu': (lambda x: max(x, 0), lambda x: 1 if x > 0 else 0),
    'relu6': (lambda x: clamp(x, 0, 6), lambda x: 1 if 0 < x < 6 else 0),
    'leaky-relu': (lambda x: x if x > 0 else mp.mpf('0.01') * x, lambda x: 1 if x > 0 else mp.mpf('0.01')),
    'prelu': (lambda x: x if x > 0 else mp.mpf('0.25') * x, lambda x: 1 if x > 0 else mp.mpf('0.25')),
    'threshold': (lambda x: x if x > 0 else 0, lambda x: 1 if x > 0 else 0),
    'elu': (lambda x: x if x > 0 else mp.expm1(x), lambda x: 1 if x > 0 else mp.exp(x)),
    'celu': (lambda x: x if x > 0 else mp.expm1(x), lambda x: 1 if x > 0 else mp.exp(x)),
    'selu': (lambda x: LAM * (x if x > 0 else ALPHA * mp.expm1(x)), lambda x: LAM if x > 0 else LAM * ALPHA * mp.exp(x)),
    'gelu': (lambda x: x * mp.ncdf(x), lambda x: mp.ncdf(x) + x * mp.npdf(x)),
    # (1 + tanh u) / 2 = σ(2u) and sech²u = 4σ(2u)σ(-2u): the same function, without 1 + tanh u
    # cancelling beyond 50 digits in the left tail
    'gelu-tanh': (
        lambda x: x * s(2 * u(x)),
        lambda x: s(2 * u(x)) + 2 * x * s(2 * u(x)) * s(-2 * u(x)) * K * (1 + 3 * C * x**2),
    ),
    'silu': (lambda x: x * s(x), lambda x: s(x) * (1 + x * s(-x))),
    'swish': (lambda x: x * s(x), lambda x: s(x) * (1 + x * s(-x))),
    'hard-swish': (
        lambda x: x * clamp(x + 3, 0, 6) / 6,
        lambda x: 0 if x < -3 else (x / 3 + mp.mpf(1) / 2 if x <= 3 else 1),
    ),
    'mish': (lambda x: x * mp.tanh(sp(x)), lambda x: mp.tanh(sp(x)) + x * sech2(sp(x)) * s(x)),
    'softplus': (sp, s),
    'squareplus': (lambda x: (x + mp.sqrt(x * x + 4)) / 2, lambda x: (1 + x / mp.sqrt(x * x + 4)) / 2),
    'softshrink': (
        lambda x: x - mp.mpf(1) / 2 if x > 0.5 else (x + mp.mpf(1) / 2 if x < -0.5 else 0),
        lambda x: 1 if abs(x) > 0.5 else 0,
    ),
    'hardshrink': (lambda x: x if abs(x) > 0.5 else 0, lambda x: 1 if abs(x) > 0.5 else 0),
    'gaussian': (lambda x: mp.exp(-x * x), lambda x: -2 * x * mp.exp(-x * x)),
    'sin': (mp.sin, mp.cos),
}

MAGNITUDES = [1e4, 1000, 100, 88.7, 50, 20, 13, 10, 9, 6, 5, 4, 3, 2.5, 2, 1.5, 1.25, 1, 0.75, 0.5, 0.3, 0.25,
              0.1, 0.05, 0.01, 1e-3, 1e-5, 1e-10, 1e-30]
POINTS = sorted({0.0, *MAGNITUDES, *(-m for m in MAGNITUDES)})

if __name__ == '__main__':
    table = {}
    for name, (f, d) in F.items():
        rows = []
        for x in POINTS:
            xm = mp.mpf(x)
            rows.append([x, float(f(xm)), float(d(xm))])
        table[name] = rows
    with open('packages/zoo/src/reference-values.json', 'w') as out:
        json.dump({'generatedBy': 'scripts/zoo-reference.py (mpmath, 50 digits)', 'values': table}, out)
    print(len(table), 'functions x', len(POINTS), 'points')
