/*
 * Standard normal distribution to full double precision.
 *
 * erfc / erfcx follow W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969) 631–637, in the three-interval form of his CALERF routine: a rational
 * approximation of erf on |x| ≤ 0.46875, of erfcx on 0.46875 < |x| ≤ 4 and an asymptotic-style
 * rational in 1/x² beyond. Maximal relative error is below 1e-16 everywhere (erfc keeps its
 * relative accuracy deep in the tail, which the implied-volatility code depends on).
 *
 * The inverse CDF is M. J. Wichura, "Algorithm AS 241: The percentage points of the normal
 * distribution", Applied Statistics 37 (1988) 477–484 (PPND16, relative accuracy ~1e-16).
 */

const ONE_OVER_SQRT_2 = Math.SQRT1_2
const ONE_OVER_SQRT_2PI = 0.3989422804014326779399460599343818684759
const ONE_OVER_SQRT_PI = 0.5641895835477562869480794515607725858441

// Cody (1969) coefficients, as tabulated for CALERF.
const A0 = 3.1611237438705656, A1 = 113.864154151050156, A2 = 377.485237685302021
const A3 = 3209.37758913846947, A4 = 0.185777706184603153
const B0 = 23.6012909523441209, B1 = 244.024637934444173, B2 = 1282.61652607737228
const B3 = 2844.23683343917062
const C0 = 0.564188496988670089, C1 = 8.88314979438837594, C2 = 66.1191906371416295
const C3 = 298.635138197400131, C4 = 881.952221241769090, C5 = 1712.04761263407058
const C6 = 2051.07837782607147, C7 = 1230.33935479799725, C8 = 2.15311535474403846e-8
const D0 = 15.7449261107098347, D1 = 117.693950891312499, D2 = 537.181101862009858
const D3 = 1621.38957456669019, D4 = 3290.79923573345963, D5 = 4362.61909014324716
const D6 = 3439.36767414372164, D7 = 1230.33935480374942
const P0 = 0.305326634961232344, P1 = 0.360344899949804439, P2 = 0.125781726111229246
const P3 = 0.0160837851487422766, P4 = 6.58749161529837803e-4, P5 = 0.0163153871373020978
const Q0 = 2.56852019228982242, Q1 = 1.87295284992346725, Q2 = 0.527905102951428412
const Q3 = 0.0605183413124413191, Q4 = 0.00233520497626869185

/** erf(x) for |x| ≤ 0.46875 (Cody's first interval). */
function erfSmall(x: number): number {
  const z = x * x
  const num = (((A4 * z + A0) * z + A1) * z + A2) * z + A3
  const den = (((z + B0) * z + B1) * z + B2) * z + B3
  return (x * num) / den
}

/** erfcx(y) = exp(y²)·erfc(y) for y > 0.46875, without the exp(y²) factor ever being formed. */
function erfcxPositive(y: number): number {
  if (y <= 4) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7
    return num / den
  }
  if (y >= 6.71e7) return ONE_OVER_SQRT_PI / y // the rational correction is below 1 ulp here
  const z = 1 / (y * y)
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4
  return (ONE_OVER_SQRT_PI - (z * num) / den) / y
}

/*
 * exp(−y²) for y > 0 with the rounding error of forming y² removed: y is split into ys with 4
 * fractional bits (whose square is exact) and a small remainder, as Cody does. Without this the
 * relative error of erfc(y) would grow like y²·ε in the tail. exp(−ys²) only takes 16 values per
 * unit of y, so it comes from a table (computed once with Math.exp, so bit-identical), which saves
 * one exp per call on the pricing hot path.
 */
const EXP_TABLE_SIZE = 16 * 39 + 1
const EXP_NEG_SQ = new Float64Array(EXP_TABLE_SIZE) // exp(−(k/16)²)
const EXP_NEG_HALF_SQ = new Float64Array(EXP_TABLE_SIZE) // exp(−(k/16)²/2)
for (let k = 0; k < EXP_TABLE_SIZE; k++) {
  const ys = k / 16
  EXP_NEG_SQ[k] = Math.exp(-ys * ys)
  EXP_NEG_HALF_SQ[k] = Math.exp(-0.5 * ys * ys)
}

function expMinusSquare(y: number): number {
  const k = Math.trunc(y * 16)
  const ys = k / 16
  const del = (y - ys) * (y + ys)
  return (k < EXP_TABLE_SIZE ? EXP_NEG_SQ[k] : Math.exp(-ys * ys)) * Math.exp(-del)
}

/** Complementary error function, relative accuracy ~1e-16 for all x. */
export function erfc(x: number): number {
  const y = Math.abs(x)
  if (y <= 0.46875) return 1 - erfSmall(x)
  // erfc underflows to 0 at y ≈ 26.55; stop before exp() does the wasted work.
  const r = y >= 26.7 ? 0 : expMinusSquare(y) * erfcxPositive(y)
  return x < 0 ? 2 - r : r
}

/** Error function. */
export function erf(x: number): number {
  const y = Math.abs(x)
  if (y <= 0.46875) return erfSmall(x)
  const r = y >= 6 ? 0 : expMinusSquare(y) * erfcxPositive(y)
  return x < 0 ? r - 1 : 1 - r
}

/** Scaled complementary error function erfcx(x) = exp(x²)·erfc(x). */
export function erfcx(x: number): number {
  const y = Math.abs(x)
  if (y <= 0.46875) return Math.exp(x * x) * (1 - erfSmall(x))
  if (x > 0) return erfcxPositive(y)
  // x < −0.46875: erfcx(x) = 2·exp(x²) − erfcx(|x|); overflows (correctly) beyond x ≈ −26.6.
  if (x < -26.6) return Infinity
  const ys = Math.trunc(y * 16) / 16
  const del = (y - ys) * (y + ys)
  const e = Math.exp(ys * ys) * Math.exp(del)
  return 2 * e - erfcxPositive(y)
}

/** Standard normal density φ(x). */
export function normPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x)
}

/**
 * Standard normal CDF Φ(x), relative accuracy ~1e-16 also deep in the lower tail (down to the
 * underflow at x ≈ −38.5). Writing it as ½·erfc(−x/√2) would cost ~x²·ε from rounding x/√2
 * inside the Gaussian factor, so beyond Cody's first interval the factor exp(−x²/2) is formed
 * from x itself (with the same exact-square split) and only the slowly varying erfcx sees x/√2.
 */
export function normCdf(x: number): number {
  const y = -x * ONE_OVER_SQRT_2
  if (Math.abs(y) <= 0.46875) return 0.5 - 0.5 * erfSmall(y)
  if (x < -38.5) return 0
  if (x >= 8.5) return 1 // 1 − Φ(−8.5) < ε/2 (and keeps ±Infinity out of the split below)
  const ax = Math.abs(x)
  const k = Math.trunc(ax * 16)
  const xs = k / 16
  const gauss = (k < EXP_TABLE_SIZE ? EXP_NEG_HALF_SQ[k] : Math.exp(-0.5 * xs * xs)) * Math.exp(-0.5 * (ax - xs) * (ax + xs))
  const tail = 0.5 * erfcxPositive(Math.abs(y)) * gauss
  return x < 0 ? tail : 1 - tail
}

/** exp(−x²/2) as normCdf forms it: the rounding of x² removed by the exact-square split. */
export function gaussFactor(x: number): number {
  const ax = Math.abs(x)
  const k = Math.trunc(ax * 16)
  const xs = k / 16
  return (k < EXP_TABLE_SIZE ? EXP_NEG_HALF_SQ[k] : Math.exp(-0.5 * xs * xs)) * Math.exp(-0.5 * (ax - xs) * (ax + xs))
}

/**
 * Φ(x) given g = exp(−x²/2) from the caller, saving normCdf's exponential where a neighbouring
 * argument gives it cheaply (Black's d₂ = d₁ − s: exp(−d₂²/2) = exp(−d₁²/2)·F/K). Same branches
 * as normCdf; equal to it to the accuracy of g (a few ulps from the product: a few ulps of Φ).
 */
export function normCdfWithGauss(x: number, g: number): number {
  const y = -x * ONE_OVER_SQRT_2
  if (Math.abs(y) <= 0.46875) return 0.5 - 0.5 * erfSmall(y)
  if (x < -38.5) return 0
  if (x >= 8.5) return 1
  const tail = 0.5 * erfcxPositive(Math.abs(y)) * g
  return x < 0 ? tail : 1 - tail
}

// Wichura AS 241 (PPND16) coefficients.
const SPLIT1 = 0.425, SPLIT2 = 5, CONST1 = 0.180625, CONST2 = 1.6
const WA0 = 3.387132872796366608, WA1 = 133.14166789178437745, WA2 = 1971.5909503065514427
const WA3 = 13731.693765509461125, WA4 = 45921.953931549871457, WA5 = 67265.770927008700853
const WA6 = 33430.575583588128105, WA7 = 2509.0809287301226727
const WB1 = 42.313330701600911252, WB2 = 687.1870074920579083, WB3 = 5394.1960214247511077
const WB4 = 21213.794301586595867, WB5 = 39307.89580009271061, WB6 = 28729.085735721942674
const WB7 = 5226.495278852854561
const WC0 = 1.42343711074968357734, WC1 = 4.6303378461565452959, WC2 = 5.7694972214606914055
const WC3 = 3.64784832476320460504, WC4 = 1.27045825245236838258, WC5 = 0.24178072517745061177
const WC6 = 0.0227238449892691845833, WC7 = 7.7454501427834140764e-4
const WD1 = 2.05319162663775882187, WD2 = 1.6763848301838038494, WD3 = 0.68976733498510000455
const WD4 = 0.14810397642748007459, WD5 = 0.0151986665636164571966, WD6 = 5.475938084995344946e-4
const WD7 = 1.05075007164441684324e-9
const WE0 = 6.6579046435011037772, WE1 = 5.4637849111641143699, WE2 = 1.7848265399172913358
const WE3 = 0.29656057182850489123, WE4 = 0.026532189526576123093, WE5 = 0.0012426609473880784386
const WE6 = 2.71155556874348757815e-5, WE7 = 2.01033439929228813265e-7
const WF1 = 0.59983220655588793769, WF2 = 0.13692988092273580531, WF3 = 0.0148753612908506148525
const WF4 = 7.868691311456132591e-4, WF5 = 1.8463183175100546818e-5, WF6 = 1.4215117583164458887e-7
const WF7 = 2.04426310338993978564e-15

/**
 * Inverse standard normal CDF: Φ⁻¹(p) for 0 < p < 1 (±Infinity at 0 and 1, NaN outside).
 * AS 241 alone is good to about 1e-16 relative; that is all the callers here need.
 */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity
    if (p === 1) return Infinity
    return NaN
  }
  const q = p - 0.5
  if (Math.abs(q) <= SPLIT1) {
    const r = CONST1 - q * q
    return (
      (q * (((((((WA7 * r + WA6) * r + WA5) * r + WA4) * r + WA3) * r + WA2) * r + WA1) * r + WA0)) /
      (((((((WB7 * r + WB6) * r + WB5) * r + WB4) * r + WB3) * r + WB2) * r + WB1) * r + 1)
    )
  }
  let r = q < 0 ? p : 1 - p
  r = Math.sqrt(-Math.log(r))
  let v: number
  if (r <= SPLIT2) {
    r -= CONST2
    v =
      (((((((WC7 * r + WC6) * r + WC5) * r + WC4) * r + WC3) * r + WC2) * r + WC1) * r + WC0) /
      (((((((WD7 * r + WD6) * r + WD5) * r + WD4) * r + WD3) * r + WD2) * r + WD1) * r + 1)
  } else {
    r -= SPLIT2
    v =
      (((((((WE7 * r + WE6) * r + WE5) * r + WE4) * r + WE3) * r + WE2) * r + WE1) * r + WE0) /
      (((((((WF7 * r + WF6) * r + WF5) * r + WF4) * r + WF3) * r + WF2) * r + WF1) * r + 1)
  }
  return q < 0 ? -v : v
}

export {ONE_OVER_SQRT_2, ONE_OVER_SQRT_2PI}
