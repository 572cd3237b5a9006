/*
 * Currency conversion to the base currency. fxRates hold the value of one unit of each currency
 * in the base currency (base itself = 1). A missing rate makes the converted amount unknown.
 */
export function toBase(amount: number | null, currency: string, fxRates: Record<string, number>): number | null {
  if (amount === null) return null
  const rate = fxRates[currency]
  return rate === undefined ? null : amount * rate
}
