/*
 * Locale-aware text with the same results as the Intl calls it replaces, without starting ICU for the
 * common cases. Why: the first `localeCompare` builds an ICU collator and the first `toLocaleString`
 * a number formatter; each cost a short command ~10–25 ms on Node 20 (CPU profile of `risk --json`),
 * more than the work they were used for. The shortcuts below apply only where the result is provably
 * identical; anything else goes to Intl as before (test/domain/text.test.ts compares both).
 */

/*
 * The root collation's primary order of printable ASCII (what localeCompare uses for "en" and the
 * locales that do not tailor these characters): space, punctuation and symbols, digits, then letters,
 * upper and lower case of one letter sharing a weight. test/domain/text.test.ts checks it against Intl.
 */
const ASCII_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz"
/** Primary rank of each character code below 127 (letters by their letter), 0 for what the shortcut does not take. */
const RANK = new Uint8Array(127)
for (let i = 0; i < ASCII_ORDER.length; i++) {
  const c = ASCII_ORDER.charCodeAt(i)
  RANK[c] = i + 1
  if (c >= 97 && c <= 122) RANK[c - 32] = i + 1 // the upper-case letter
}
const CASE_UPPER = 1
const CASE_LOWER = 2

/** Which one-case alphabet a string is written in: printable ASCII with no lower-case letter (1), none upper-case (2), both (3); 0 = something else. */
function alphabet(s: string): number {
  let cases = CASE_UPPER | CASE_LOWER
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 127 || RANK[c] === 0) return 0
    if (c >= 65 && c <= 90) cases &= CASE_UPPER
    else if (c >= 97 && c <= 122) cases &= CASE_LOWER
  }
  return cases
}

/**
 * `a.localeCompare(b)`, by sign. Two strings of printable ASCII written in one case (no lower-case
 * letter in either, or no upper-case letter in either) compare character by character by primary
 * rank: in the root collation each such character has its own primary weight (none is ignorable:
 * punctuation is not ignored by default) and none forms a contraction, so the first differing
 * character decides, and a prefix comes first. Symbols ("HDFC INDEX FUND", "/MESH7", "M&M") are in;
 * mixed case (tertiary differences) and anything outside ASCII ask ICU.
 */
export function compareText(a: string, b: string): number {
  if ((alphabet(a) & alphabet(b)) === 0) return a.localeCompare(b)
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = RANK[a.charCodeAt(i)] - RANK[b.charCodeAt(i)]
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
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
