/*
 * The fake's `GET /accounts/{n}/transactions` (doc broker-transactions §1): items shaped like the
 * real captures (money as unsigned decimal strings with `*-effect`, quantities unsigned, padded OCC
 * and futures-option symbols, fields absent rather than null where tastytrade leaves them out,
 * nulls where it writes null), paged by `page-offset` / `per-page` with the `pagination` block
 * beside `data`, sorted by `sort` (default Desc, as the real API), filtered by `start-date` on the
 * transaction date.
 */
import type {Row} from './scenario.js'

/** What the route answers: status and body. */
export function transactionsPage(all: Row[], account: string, path: string, query: Record<string, string[]>, maxPerPage: number): {status: number; body: unknown} {
  const perPageText = query['per-page']?.[0] ?? '250'
  const perPage = Number(perPageText)
  if (!/^\d+$/.test(perPageText) || perPage < 1 || perPage > 2000) {
    return {status: 400, body: {error: {code: 'validation_error', message: 'Validation failed', errors: [{code: 'invalid', message: 'per-page: does not have a valid value'}]}}}
  }
  const offset = Number(query['page-offset']?.[0] ?? '0')
  const sort = query.sort?.[0] ?? 'Desc'
  const start = query['start-date']?.[0]
  const items = all
    .map((r): Row => ({...r, 'account-number': account}))
    .filter((r) => !start || String(r['transaction-date']) >= start)
    .sort((a, b) => {
      const t = String(a['executed-at']).localeCompare(String(b['executed-at'])) || Number(a.id) - Number(b.id)
      return sort === 'Asc' ? t : -t
    })
  // The fake may page smaller than asked (scenario.transactionsMaxPerPage) so tests see several pages.
  const size = Math.min(perPage, maxPerPage)
  const totalPages = Math.ceil(items.length / size)
  const page = items.slice(offset * size, offset * size + size)
  return {
    status: 200,
    body: {
      data: {items: page},
      context: path,
      pagination: {
        'per-page': size,
        'page-offset': offset,
        'item-offset': offset * size,
        'total-items': items.length,
        'total-pages': totalPages,
        'current-item-count': page.length,
        'previous-link': null,
        'next-link': null,
        'paging-link-template': null,
      },
    },
  }
}

/**
 * A year of an account's records in the real shapes: a short put assigned (removal + stock
 * delivery at the strike), a call sold against the shares, a BRK/B sale with regulatory and
 * clearing fees, an expiry, a 2-for-1 split pair, dividends with withholding, interest, a deposit,
 * an SPX trade with index option fees, a futures option, and one sub-type cotrader does not know.
 */
export function sampleTransactions(): Row[] {
  const base = {'is-estimated-fee': true}
  return [
    {
      ...base, id: 2455333333, symbol: 'RIVN  230623C00015000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'RIVN',
      'transaction-type': 'Trade', 'transaction-sub-type': 'Sell to Open', description: 'Sold 40 RIVN 06/23/23 Call 15.00 @ 0.47', action: 'Sell to Open',
      quantity: '40.0', price: '0.47', 'executed-at': '2023-06-12T13:53:08.199+00:00', 'transaction-date': '2023-06-12',
      value: '1880.0', 'value-effect': 'Credit', 'regulatory-fees': '0.042', 'regulatory-fees-effect': 'Debit', 'clearing-fees': '0.40', 'clearing-fees-effect': 'Debit',
      'net-value': '1839.558', 'net-value-effect': 'Credit', commission: '40.0', 'commission-effect': 'Debit',
      'proprietary-index-option-fees': '0.0', 'proprietary-index-option-fees-effect': 'None',
      'ext-exchange-order-number': '6309579568813', 'ext-global-order-number': 1469, 'ext-group-id': '0', 'ext-group-fill-id': '613761478', 'ext-exec-id': '6075255',
      'exec-id': '4_A5F-1DY-3M7P-3', exchange: 'D', 'order-id': 272610989, 'exchange-affiliation-identifier': '', 'leg-count': 1, 'destination-venue': 'WOLVERINE_OPTIONS_A',
      'reverses-id': null, lots: null,
    },
    {
      ...base, id: 2454865989, symbol: 'RIVN  230609P00014000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'RIVN',
      'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Assignment', description: 'Removal of option due to assignment',
      quantity: '40.0', 'executed-at': '2023-06-09T21:00:00.000+00:00', 'transaction-date': '2023-06-09',
      value: '0.0', 'value-effect': 'None', 'net-value': '0.0', 'net-value-effect': 'None',
    },
    {
      ...base, id: 2454865990, symbol: 'RIVN', 'instrument-type': 'Equity', 'underlying-symbol': 'RIVN',
      'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Buy to Open', description: 'Buy to Open 4000 RIVN @ 14.00', action: 'Buy to Open',
      quantity: '4000.0', price: '14.0', 'executed-at': '2023-06-09T21:00:00.000+00:00', 'transaction-date': '2023-06-09',
      value: '56000.0', 'value-effect': 'Debit', 'clearing-fees': '200.0', 'clearing-fees-effect': 'Debit', 'net-value': '56200.0', 'net-value-effect': 'Debit',
    },
    {
      ...base, id: 280070508, symbol: 'BRK/B', 'instrument-type': 'Equity', 'underlying-symbol': 'BRK/B',
      'transaction-type': 'Trade', 'transaction-sub-type': 'Sell to Close', description: 'Sold 10 BRK/B @ 384.04', action: 'Sell to Close',
      quantity: '10.0', price: '384.04', 'executed-at': '2024-01-26T15:51:53.685+00:00', 'transaction-date': '2024-01-26',
      value: '3840.4', 'value-effect': 'Credit', 'net-value': '3840.35', 'net-value-effect': 'Credit',
      'regulatory-fees': '0.042', 'regulatory-fees-effect': 'Debit', 'clearing-fees': '0.008', 'clearing-fees-effect': 'Debit',
      commission: '0.0', 'commission-effect': 'None', 'proprietary-index-option-fees': '0.0', 'proprietary-index-option-fees-effect': 'None',
      'order-id': 305250635, 'leg-count': 1, 'other-charge': null, 'other-charge-effect': null, 'other-charge-description': null, 'reverses-id': null,
    },
    {
      ...base, id: 2531000001, symbol: 'PACB  221230C00010500', 'instrument-type': 'Equity Option', 'underlying-symbol': 'PACB',
      'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Expiration', description: 'Removal of 2.0 PACB 12/30/22 Call 10.50 due to expiration.',
      quantity: '2.0', 'executed-at': '2022-12-30T21:00:00.000+00:00', 'transaction-date': '2022-12-30',
      value: '0.0', 'value-effect': 'None', 'net-value': '0.0', 'net-value-effect': 'None',
    },
    {
      ...base, id: 2600000010, symbol: 'CCJ', 'instrument-type': 'Equity', 'underlying-symbol': 'CCJ',
      'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Forward Split', description: 'Forward split: Close 1.0 CCJ', action: 'Sell to Close',
      quantity: '1.0', price: '40.4', 'executed-at': '2024-03-04T11:00:00.000+00:00', 'transaction-date': '2024-03-04',
      value: '40.4', 'value-effect': 'Credit', 'net-value': '40.4', 'net-value-effect': 'Credit',
    },
    {
      ...base, id: 2600000011, symbol: 'CCJ', 'instrument-type': 'Equity', 'underlying-symbol': 'CCJ',
      'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Forward Split', description: 'Forward split: Open 2.0 CCJ', action: 'Buy to Open',
      quantity: '2.0', price: '20.2', 'executed-at': '2024-03-04T11:00:00.000+00:00', 'transaction-date': '2024-03-04',
      value: '40.4', 'value-effect': 'Debit', 'net-value': '40.4', 'net-value-effect': 'Debit',
    },
    {
      ...base, id: 2610000001, symbol: 'KO', 'instrument-type': 'Equity', 'underlying-symbol': 'KO',
      'transaction-type': 'Money Movement', 'transaction-sub-type': 'Dividend', description: 'COCA-COLA CO',
      'executed-at': '2024-04-01T22:00:00.000+00:00', 'transaction-date': '2024-04-01',
      value: '4.85', 'value-effect': 'Credit', 'net-value': '4.85', 'net-value-effect': 'Credit',
    },
    {
      ...base, id: 2610000002, symbol: 'KO', 'instrument-type': 'Equity', 'underlying-symbol': 'KO',
      'transaction-type': 'Money Movement', 'transaction-sub-type': 'Dividend', description: 'COCA-COLA CO - NON-RES TAX WITHHELD',
      'executed-at': '2024-04-01T22:00:00.000+00:00', 'transaction-date': '2024-04-01',
      value: '0.73', 'value-effect': 'Debit', 'net-value': '0.73', 'net-value-effect': 'Debit',
    },
    {
      ...base, id: 2620000001, 'transaction-type': 'Money Movement', 'transaction-sub-type': 'Credit Interest', description: 'INTEREST ON CREDIT BALANCE',
      'executed-at': '2024-04-30T22:00:00.000+00:00', 'transaction-date': '2024-04-30',
      value: '12.31', 'value-effect': 'Credit', 'net-value': '12.31', 'net-value-effect': 'Credit',
    },
    {
      ...base, id: 2630000001, 'transaction-type': 'Money Movement', 'transaction-sub-type': 'Deposit', description: 'ACH DEPOSIT',
      'executed-at': '2024-05-02T14:12:09.531+00:00', 'transaction-date': '2024-05-02',
      value: '5000.0', 'value-effect': 'Credit', 'net-value': '5000.0', 'net-value-effect': 'Credit',
    },
    {
      ...base, id: 2640000001, symbol: 'SPXW  240517C05300000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'SPX',
      'transaction-type': 'Trade', 'transaction-sub-type': 'Buy to Open', description: 'Bought 1 SPXW 05/17/24 Call 5300.00 @ 12.40', action: 'Buy to Open',
      quantity: '1.0', price: '12.4', 'executed-at': '2024-05-13T14:31:02.007+00:00', 'transaction-date': '2024-05-13',
      value: '1240.0', 'value-effect': 'Debit', commission: '1.0', 'commission-effect': 'Debit', 'clearing-fees': '0.1', 'clearing-fees-effect': 'Debit',
      'regulatory-fees': '0.04', 'regulatory-fees-effect': 'Debit', 'proprietary-index-option-fees': '0.65', 'proprietary-index-option-fees-effect': 'Debit',
      'net-value': '1241.79', 'net-value-effect': 'Debit', 'order-id': 330000111, 'leg-count': 1,
    },
    {
      ...base, id: 2650000001, symbol: './CLN4 LON4  240617C85', 'instrument-type': 'Future Option', 'underlying-symbol': '/CLN4',
      'transaction-type': 'Trade', 'transaction-sub-type': 'Sell to Open', description: 'Sold 1 ./CLN4 LON4  240617C85 @ 0.52', action: 'Sell to Open',
      quantity: '1.0', price: '0.52', 'executed-at': '2024-05-20T15:02:44.120+00:00', 'transaction-date': '2024-05-20',
      value: '520.0', 'value-effect': 'Credit', commission: '2.5', 'commission-effect': 'Debit', 'clearing-fees': '0.3', 'clearing-fees-effect': 'Debit',
      'regulatory-fees': '0.02', 'regulatory-fees-effect': 'Debit', 'net-value': '517.18', 'net-value-effect': 'Credit', 'order-id': 330000222, 'leg-count': 1,
    },
    {
      ...base, id: 2660000001, 'transaction-type': 'Money Movement', 'transaction-sub-type': 'Cash Sweep Adjustment', description: 'SWEEP ADJ',
      'executed-at': '2024-06-03T10:00:00.000+00:00', 'transaction-date': '2024-06-03',
      value: '0.01', 'value-effect': 'Credit', 'net-value': '0.01', 'net-value-effect': 'Credit',
    },
  ]
}
