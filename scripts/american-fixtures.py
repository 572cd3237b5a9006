#!/usr/bin/python3
"""
Generate converged American option prices with QuantLib (Debian `quantlib-python`, 1.29) as test
fixtures for src/core/pricing/american-exact.ts. Tests never need QuantLib; they read the CSV.

    apt-get install -y quantlib-python      # then run with Debian's /usr/bin/python3
    python3 scripts/american-fixtures.py grid   > test/fixtures/american-grid.csv
    python3 scripts/american-fixtures.py double > test/fixtures/american-double-boundary.csv

grid:   random cases over the issue's grid (S/K 0.5–2, 1 day–3 years, σ 5–150 %, r −2 %…10 %,
        q 0–10 %, a quarter of them with q within 2e-3 of r; calls and puts; spot and futures
        options), priced with QdFpAmericanEngine's high-precision scheme (tanh-sinh,
        Andersen–Lake–Offengelden). Cases without time value are mostly skipped. Kept: cases where the accurate scheme agrees within 1e-7 × K
        (the two are independent discretisations, so the reference is good to ~1e-8 × K).
double: the two-boundary cases (put with q < r < 0, call with r < q < 0), where the fixed-point
        method does not apply: FdBlackScholesVanillaEngine (Crank–Nicolson), on grids n × n with
        n = 1000, 2000, 4000 in time and space; the Richardson extrapolate of the last two is
        the reference and |P(4000) − P(2000)| its error estimate, written alongside.
Columns as ../shared/data/american-reference.csv: model,type,spot,strike,years,vol,rate,dividend,price,delta
(delta: central difference of the reference price, bump 0.1 % of spot); `double` adds err.
"""
import random
import sys

import QuantLib as ql

TODAY = ql.Date(2, 1, 2025)
ql.Settings.instance().evaluationDate = TODAY
DC = ql.Actual365Fixed()


def process(spot, rate, div, vol):
    s = ql.SimpleQuote(spot)
    r = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, rate, DC))
    q = ql.YieldTermStructureHandle(ql.FlatForward(TODAY, div, DC))
    v = ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, ql.NullCalendar(), vol, DC))
    return s, ql.BlackScholesMertonProcess(ql.QuoteHandle(s), q, r, v)


def price(right, spot, strike, days, rate, div, vol, engine_of):
    s, proc = process(spot, rate, div, vol)
    opt = ql.VanillaOption(
        ql.PlainVanillaPayoff(ql.Option.Call if right == 'call' else ql.Option.Put, strike),
        ql.AmericanExercise(TODAY, TODAY + days))
    opt.setPricingEngine(engine_of(proc))
    p = opt.NPV()
    h = 1e-3 * spot
    s.setValue(spot + h)
    up = opt.NPV()
    s.setValue(spot - h)
    dn = opt.NPV()
    s.setValue(spot)
    return p, (up - dn) / (2 * h)


def hp(proc):
    return ql.QdFpAmericanEngine(proc, ql.QdFpAmericanEngine.highPrecisionScheme())


def acc(proc):
    return ql.QdFpAmericanEngine(proc, ql.QdFpAmericanEngine.accurateScheme())


def grid(n, seed):
    rnd = random.Random(seed)
    print('model,type,spot,strike,years,vol,rate,dividend,price,delta')
    kept = 0
    while kept < n:
        model = 'black76' if rnd.random() < 0.2 else 'bsm'
        right = rnd.choice(['call', 'put'])
        strike = 100.0
        spot = round(strike * 0.5 * 4 ** rnd.random(), 2)
        days = rnd.choice([1, 2, 5, 10, 21, 30, 45, 63, 91, 126, 182, 250, 365, 547, 730, 1095])
        vol = round(0.05 + 1.45 * rnd.random() ** 1.5, 3)
        rate = round(-0.02 + 0.12 * rnd.random(), 4)
        div = round(0.1 * rnd.random(), 4)
        if model == 'bsm' and rnd.random() < 0.25:
            div = round(max(0.0, rate + rnd.uniform(-0.002, 0.002)), 4)
        if model == 'black76':
            div = rate
        p, d = price(right, spot, strike, days, rate, div, vol, hp)
        intrinsic = max(spot - strike if right == 'call' else strike - spot, 0.0)
        if p - intrinsic < 1e-6 and rnd.random() < 0.8:
            continue  # keep only a few cases without time value: they test little
        p2, _ = price(right, spot, strike, days, rate, div, vol, acc)
        if abs(p - p2) > 1e-7 * strike:
            continue
        kept += 1
        print(f'{model},{right},{spot},{strike},{days}/365,{vol},{rate},{0.0 if model == "black76" else div},{p:.10f},{d:.7f}')
        sys.stdout.flush()


def fd(n):
    return lambda proc: ql.FdBlackScholesVanillaEngine(proc, n, n, 1, ql.FdmSchemeDesc.CrankNicolson())


def double(seed):
    rnd = random.Random(seed)
    print('model,type,spot,strike,years,vol,rate,dividend,price,delta,err')
    cases = [
        ('put', 90.0, 182, 0.2, -0.01, -0.03),
        ('put', 80.0, 365, 0.15, -0.005, -0.02),
        ('call', 110.0, 182, 0.2, -0.03, -0.01),
        ('call', 125.0, 365, 0.25, -0.02, -0.005),
    ]
    while len(cases) < 12:
        right = rnd.choice(['call', 'put'])
        a = round(-0.02 * rnd.random(), 4)
        b = round(a - 0.001 - 0.04 * rnd.random(), 4)
        rate, div = (a, b) if right == 'put' else (b, a)
        spot = round(100 * (0.6 + 0.35 * rnd.random()) if right == 'put' else 100 / (0.6 + 0.35 * rnd.random()), 2)
        cases.append((right, spot, rnd.choice([30, 91, 182, 365, 730]), round(0.1 + 0.4 * rnd.random(), 3), rate, div))
    for right, spot, days, vol, rate, div in cases:
        p2, d2 = price(right, spot, 100.0, days, rate, div, vol, fd(2000))
        p4, d4 = price(right, spot, 100.0, days, rate, div, vol, fd(4000))
        ref = p4 + (p4 - p2) / 3
        print(f'bsm,{right},{spot},100.0,{days}/365,{vol},{rate},{div},{ref:.10f},{d4:.7f},{abs(p4 - p2):.2e}')
        sys.stdout.flush()


if __name__ == '__main__':
    if sys.argv[1] == 'grid':
        grid(int(sys.argv[2]) if len(sys.argv) > 2 else 400, 7)
    else:
        double(11)
