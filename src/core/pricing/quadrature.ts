/*
 * Gauss–Legendre quadrature, shared by the American engines (BS2002's bivariate normal and the
 * exact engine's fixed-point integrals). Nodes computed by Newton on the Legendre polynomial, so
 * there is no table to mistype.
 */

/** Gauss–Legendre nodes and weights on [−1, 1], by Newton on the Legendre polynomial. */
export function gaussLegendre(n: number): {x: Float64Array; w: Float64Array} {
  const x = new Float64Array(n)
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5))
    let pp = 0
    for (let it = 0; it < 100; it++) {
      let p1 = 1
      let p2 = 0
      for (let j = 1; j <= n; j++) {
        const p3 = p2
        p2 = p1
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j
      }
      pp = (n * (z * p1 - p2)) / (z * z - 1)
      const dz = p1 / pp
      z -= dz
      if (Math.abs(dz) < 1e-16) break
    }
    x[i] = -z // ascending
    w[i] = 2 / ((1 - z * z) * pp * pp)
  }
  return {x, w}
}
