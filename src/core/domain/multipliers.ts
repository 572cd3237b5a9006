/*
 * Contract multipliers and lot sizes: how much money one unit of quantity moves per 1.00 of
 * price, for exports that do not say. Every importer asks here, and every importer that has the
 * broker's own value or P&L checks the answer against it (adapters/csv/crosscheck.ts), so an
 * instrument missing from these tables fails loudly instead of importing a number 100× wrong.
 *
 * multiplier = money per 1.00 of quoted price per 1 unit of the export's quantity:
 *   US equity/index options     100 (shares per contract; price quoted per share)
 *   NSE/BSE F&O (Kite)          1   (Kite writes the quantity in units: −75 NIFTY = one lot short)
 *   MCX commodities (Kite)      the lot in quoted units (Kite writes MCX quantities in lots):
 *                               CRUDEOIL 1 lot = 100 barrels, price per barrel → 100
 *   CME futures and options     the contract's point value (ES 50 USD per index point)
 *   bonds and CDs (Fidelity)    0.01 (quantity is face value, price is per 100 of face)
 * Pure data; contract specs as published by the exchanges (2026). Check a changed contract here.
 */
import type {InstrumentType} from './types.js'

/** CME/CFE futures point values (money per 1.00 of price), by product root. */
export const FUTURES_MULTIPLIERS: Readonly<Record<string, number>> = {
  ES: 50, MES: 5, NQ: 20, MNQ: 2, RTY: 50, M2K: 5, YM: 5, MYM: 0.5,
  CL: 1000, MCL: 100, QM: 500, NG: 10000, GC: 100, MGC: 10, SI: 5000, SIL: 1000, HG: 25000,
  ZB: 1000, UB: 1000, ZN: 1000, ZF: 1000, ZT: 2000, ZC: 50, ZS: 50, ZW: 50,
  '6E': 125000, '6B': 62500, '6A': 100000, '6C': 100000, BTC: 5, MBT: 0.1, ETH: 50, MET: 0.1, VX: 1000,
}

/**
 * MCX lot sizes in the unit the price is quoted in (Kite quotes and writes quantity in lots).
 * e.g. GOLD: 1 lot = 1 kg, quoted per 10 g → 100; SILVER: 30 kg, quoted per kg → 30.
 */
export const MCX_LOTS: Readonly<Record<string, number>> = {
  CRUDEOIL: 100, // 100 barrels, ₹ per barrel
  CRUDEOILM: 10, // 10 barrels
  NATURALGAS: 1250, // 1,250 mmBtu, ₹ per mmBtu
  NATGASMINI: 250, // 250 mmBtu
  GOLD: 100, // 1 kg, ₹ per 10 g
  GOLDM: 10, // 100 g, ₹ per 10 g
  GOLDPETAL: 1, // 1 g, ₹ per g
  SILVER: 30, // 30 kg, ₹ per kg
  SILVERM: 5, // 5 kg
  SILVERMIC: 1, // 1 kg
  COPPER: 2500, // 2,500 kg, ₹ per kg
  ZINC: 5000, // 5 t, ₹ per kg
  ZINCMINI: 1000,
  LEAD: 5000,
  LEADMINI: 1000,
  ALUMINIUM: 5000,
  ALUMINI: 1000,
}

/** Fidelity (and most US brokers) quote bonds and CDs per 100 of face value; quantity is the face value. */
export const BOND_MULTIPLIER = 0.01

/** US equity and index options: 100 shares per contract. */
export const US_OPTION_MULTIPLIER = 100

/** The MCX lot of a Kite tradingsymbol's root, or undefined when it is not an MCX commodity. */
export function mcxLot(root: string): number | undefined {
  return MCX_LOTS[root.toUpperCase()]
}

/** CME-style point value of a futures symbol `/ESZ6` (or its root `/ES`), or undefined when unknown. */
export function futuresMultiplier(underlying: string): number | undefined {
  const root = /^\/([A-Z0-9]+?)(?:[FGHJKMNQUVXZ]\d{1,2})?$/.exec(underlying)?.[1]
  return root ? FUTURES_MULTIPLIERS[root] : undefined
}

/**
 * A Fidelity description that names a bond or CD: a coupon and a maturity date, e.g.
 * `UNITED STATES TREAS NTS NOTE 4.37500% 11/30/2028` or `GOLDMAN SACHS BK USA CD 4.50000% 03/15/2027`.
 */
export function looksLikeBond(description: string): boolean {
  return /\d+(\.\d+)?\s*%/.test(description) && /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/.test(description)
}

export function isOptionType(type: InstrumentType): boolean {
  return type === 'equity_option' || type === 'future_option'
}
