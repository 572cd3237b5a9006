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
