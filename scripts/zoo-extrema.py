"""Extrema of the smooth non-monotonic zoo functions and their derivatives, to full float64 precision.
The zoo declares these as its exact ranges (packages/zoo/src/*.ts). Run: python3 scripts/zoo-extrema.py
"""
import mpmath as mp

mp.mp.dps = 60
sig = lambda x: 1 / (1 + mp.exp(-x))
sp = lambda x: mp.log(1 + mp.exp(x))
k = mp.sqrt(2 / mp.pi)
FUNCTIONS = {
    'silu': lambda x: x * sig(x),
    'gelu': lambda x: x * mp.ncdf(x),
    'gelu-tanh': lambda x: x / 2 * (1 + mp.tanh(k * (x + mp.mpf('0.044715') * x**3))),
    'mish': lambda x: x * mp.tanh(sp(x)),
}


def extremum(f, guess, order=1):
    """Where the order-th derivative of f vanishes, and the (order-1)-th derivative there."""
    x0 = mp.findroot(lambda t: mp.diff(f, t, order), guess, tol=1e-24)
    return x0, mp.diff(f, x0, order - 1)


for name, f in FUNCTIONS.items():
    xmin, fmin = extremum(f, -1.2)
    dlo_x, dlo = extremum(f, -2, 2)
    dhi_x, dhi = extremum(f, 1.5, 2)
    print(f'{name}: min f = {mp.nstr(fmin, 17)} at {mp.nstr(xmin, 17)};'
          f" f' in [{mp.nstr(dlo, 17)}, {mp.nstr(dhi, 17)}] (at {mp.nstr(dlo_x, 8)}, {mp.nstr(dhi_x, 8)})")
print('gaussian: f\' in [-sqrt(2/e), sqrt(2/e)] =', mp.nstr(mp.sqrt(2 / mp.e), 17))
