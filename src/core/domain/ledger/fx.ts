/*
 * FX on the close date (issue 16 item 3): realised P&L in the base currency is converted at the rate
 * stored for the day the lot closed when there is one, else at today's configured `fx_rates`, and the
 * caller says which (a count of pieces converted at today's rate).
 *
 * Where dated rates come from: the price history (`cotrader prices import FILE`, CSV date,symbol,close),
 * under a currency pair symbol: `INRUSD` = USD per 1 INR (the rate as fx_rates writes it), or the
 * pair the other way round, `USDINR` = INR per 1 USD (how FX is usually quoted), inverted. With a
 * base of USD, `2026-06-15,USDINR,83.25` means 1 INR = 1/83.25 USD on 15 June 2026. Only the close
 * date's own rate is used: no carrying forward from an earlier day (a missing day is today's rate,
 * said so), since a stale rate passed off as the day's is worse than one labelled as today's.
 *
 * Pure: the dated rates and the config rates in, a rate and where it came from out.
 */

/** Dated rates per currency: currency → date (YYYY-MM-DD) → value of 1 unit in the base currency. */
export type FxHistory = ReadonlyMap<string, ReadonlyMap<string, number>>

export type FxSource = 'base' | 'close_date' | 'config'

export interface FxRate {
  /** value of 1 unit of the currency in the base currency */
  rate: number
  /** base: no conversion; close_date: the rate stored for that date; config: today's config fx_rates */
  source: FxSource
}

/** The pair symbols under which a currency's dated rates are stored: direct (C+base, base per C) and inverse (base+C, C per base). */
export function fxPairSymbols(currency: string, base: string): {direct: string; inverse: string} {
  return {direct: `${currency}${base}`.toUpperCase(), inverse: `${base}${currency}`.toUpperCase()}
}

/**
 * Builds the history from price-history closes of the pair symbols. A direct pair wins over an inverse
 * one on the same date. Closes that are not positive are ignored (the import refuses them anyway).
 */
export function fxHistoryFromCloses(currencies: readonly string[], base: string, closes: ReadonlyMap<string, readonly {date: string; close: number}[]>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  for (const c of currencies) {
    if (c === base) continue
    const {direct, inverse} = fxPairSymbols(c, base)
    const days = new Map<string, number>()
    for (const p of closes.get(inverse) ?? []) if (p.close > 0) days.set(p.date, 1 / p.close)
    for (const p of closes.get(direct) ?? []) if (p.close > 0) days.set(p.date, p.close)
    if (days.size > 0) out.set(c, days)
  }
  return out
}

/** The rate of `currency` on `date`: the stored rate of that date, else the config's (today's); null when neither is known. */
export function fxRateOn(currency: string, date: string, base: string, history: FxHistory, config: Readonly<Record<string, number>>): FxRate | null {
  if (currency === base) return {rate: 1, source: 'base'}
  const dated = history.get(currency)?.get(date)
  if (dated !== undefined) return {rate: dated, source: 'close_date'}
  const today = config[currency]
  return today === undefined ? null : {rate: today, source: 'config'}
}
