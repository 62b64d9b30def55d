"""Fits tanhshrink near 0: x - tanh(x) = x^3 * q(x^2) for |x| < 0.6, q fitted in u = (x^2 - 0.18) / 0.18
(where x - tanh x would cancel). mpmath at 60 digits. Run: python3 scripts/fit-tanhshrink.py
"""
import mpmath as mp

mp.mp.dps = 60
DEGREE = 11


def q(s):
    if s == 0:
        return mp.mpf(1) / 3
    r = mp.sqrt(s)
    return (r - mp.tanh(r)) / r**3


poly, err = mp.chebyfit(lambda u: q(mp.mpf('0.18') + mp.mpf('0.18') * u), [-1, 1], DEGREE + 1, error=True)
print(f'// fitted relative error {float(err / q(mp.mpf("0.36"))):.1e}')
print('[' + ', '.join(repr(float(c)) for c in poly) + ']')
