/*
 * Sums over values that may be unknown. A total of partly unknown values is reported as the sum
 * of the known ones together with how many were unknown, so no display can pass it off as exact.
 */
export interface Total {
  /** Sum of the known values; null when none was known. */
  value: number | null
  /** How many values were unknown (null). */
  missing: number
}

export function total(values: Iterable<number | null>): Total {
  let sum = 0
  let known = 0
  let missing = 0
  for (const v of values) {
    if (v === null) missing++
    else {
      sum += v
      known++
    }
  }
  return {value: known > 0 ? sum : missing > 0 ? null : 0, missing}
}

/**
 * A total that is unknown as soon as one part is (value null, the count of unknown parts kept). Used
 * where a sum of the known parts would pass an unknown off as a number: day P&L, where a paper trade
 * booked today (day P&L exactly 0) beside positions without a previous close would otherwise total
 * "0.00*", and a before → after on a book that is unknown.
 */
export function wholeTotal(values: Iterable<number | null>): Total {
  const t = total(values)
  return t.missing > 0 ? {value: null, missing: t.missing} : t
}
