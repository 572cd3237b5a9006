/*
 * Locale-aware text with the same results as the Intl calls it replaces, without starting ICU for the
 * common cases. Why: the first `localeCompare` builds an ICU collator and the first `toLocaleString`
 * a number formatter; each cost a short command ~10–25 ms on Node 20 (CPU profile of `risk --json`),
 * more than the work they were used for. The shortcuts below apply only where the result is provably
 * identical; anything else goes to Intl as before (test/domain/text.test.ts compares both).
 */

/** Digits and upper-case ASCII letters only, or digits and lower-case only. */
const UPPER = /^[0-9A-Z]*$/
const LOWER = /^[0-9a-z]*$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/**
 * `a.localeCompare(b)`, by sign. Two strings made only of digits and letters of one case, or two ISO dates,
 * compare by code points: in the root collation each such character has its own primary weight in
 * code-point order (digits before letters) and none is ignorable, so the comparisons agree; the dashes of
 * two ISO dates sit at the same places. Anything else asks ICU.
 */
export function compareText(a: string, b: string): number {
  if ((UPPER.test(a) && UPPER.test(b)) || (LOWER.test(a) && LOWER.test(b)) || (ISO_DATE.test(a) && ISO_DATE.test(b))) return a < b ? -1 : a > b ? 1 : 0
  return a.localeCompare(b)
}

/**
 * `n.toLocaleString('en-US', {maximumFractionDigits})`: ICU rounds the shortest decimal that reads back
 * as n (what String(n) prints: 1.005 → "1.01", where toFixed gives "1.00"), half away from zero, and
 * groups the integer digits by three with commas; "-0" keeps its sign. Exponent forms (below 1e-6, from
 * 1e21), NaN and infinities go to Intl.
 */
export function formatNumberEn(n: number, maximumFractionDigits: number): string {
  const s = String(Math.abs(n))
  if (!Number.isFinite(n) || s.includes('e')) return n.toLocaleString('en-US', {maximumFractionDigits})
  const dot = s.indexOf('.')
  let int = dot < 0 ? s : s.slice(0, dot)
  let frac = dot < 0 ? '' : s.slice(dot + 1)
  if (frac.length > maximumFractionDigits) {
    const up = frac.charCodeAt(maximumFractionDigits) >= 53 // '5'
    frac = frac.slice(0, maximumFractionDigits)
    if (up) {
      // add one unit in the last kept place, carrying through the fraction into the integer part
      const digits = (int + frac).split('')
      let i = digits.length - 1
      while (i >= 0 && digits[i] === '9') digits[i--] = '0'
      if (i >= 0) digits[i] = String.fromCharCode(digits[i].charCodeAt(0) + 1)
      else digits.unshift('1')
      const all = digits.join('')
      int = all.slice(0, all.length - frac.length)
      frac = all.slice(all.length - frac.length)
    }
    frac = frac.replace(/0+$/, '')
  }
  const sign = n < 0 || Object.is(n, -0) ? '-' : ''
  return `${sign}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ? `.${frac}` : ''}`
}
