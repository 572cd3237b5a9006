/*
 * Transactions parsing figures (issue 16), printed never asserted: 100,000 rows of each export
 * format through its parser and withContentKeys (the part of "import 100,000 transactions ≤ 2 s"
 * that happens before the store). The rows are the reference samples repeated with varied dates,
 * quantities and prices, so content keys differ as in real files.
 * Run alone after a build: node bench/transactions.mjs
 */
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href
const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(16)}   target ${target}`)
const N = 100_000

const day = (i) => new Date(Date.UTC(2020, 0, 1) + (i % 2000) * 86_400_000)
const us = (d) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`
const iso = (d) => d.toISOString().slice(0, 10)

function fidelity() {
  const rows = ['', '', 'Run Date,Action,Symbol,Description,Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Cash Balance ($),Settlement Date']
  for (let i = 0; i < N; i++) {
    const d = us(day(i))
    rows.push(i % 2 === 0
      ? `${d},"YOU SOLD OPENING TRANSACTION PUT (UMAC) UNUSUAL MACHS INC MAY 01 26 $13.5 (100 SHS) (Cash)", -UMAC260501P13.5,"PUT (UMAC)",Cash,-${1 + (i % 7)},0.${10 + (i % 80)},0.65,0.02,,40.33,10252.02,${d}`
      : `${d},"YOU BOUGHT MICROSOFT CORP (MSFT) (Cash)",MSFT,"MICROSOFT CORP",Cash,${1 + (i % 50)},${400 + (i % 97)}.12,0,0.01,,-2390.61,--,${d}`)
  }
  return rows.join('\n')
}

function ibkr() {
  const cols = ['ClientAccountID', 'CurrencyPrimary', 'AssetClass', 'Symbol', 'Description', 'Multiplier', 'TradeID', 'TransactionID', 'IBOrderID', 'TradeDate', 'DateTime', 'TransactionType', 'Quantity', 'TradePrice', 'NetCash', 'IBCommission', 'Open/CloseIndicator', 'Notes/Codes', 'Buy/Sell', 'FifoPnlRealized', 'LevelOfDetail']
  const q = (c) => c.map((x) => `"${x}"`).join(',')
  const rows = [q(['BOF', 'U1']), q(['BOA', 'U1']), q(['BOS', 'TRNT', 'Trades']), q(['HEADER', 'TRNT', ...cols])]
  for (let i = 0; i < N; i++) {
    const d = iso(day(i)).replace(/-/g, '')
    rows.push(q(['DATA', 'TRNT', 'U1', 'USD', i % 2 ? 'STK' : 'OPT', i % 2 ? 'AAPL' : 'AA    260717C00054000', 'X', i % 2 ? '1' : '100', String(i), String(1e9 + i), String(2e9 + i), d, `${d};101500`, 'ExchTrade', i % 3 ? '10' : '-10', `1${i % 100}.25`, '-1000', '-1', 'O', '', i % 3 ? 'BUY' : 'SELL', '0', 'EXECUTION']))
  }
  rows.push(q(['EOS', 'TRNT', String(N)]), q(['EOA', 'U1']), q(['EOF', 'U1']))
  return rows.join('\n')
}

function zerodha() {
  const rows = ['symbol,isin,trade_date,exchange,segment,series,trade_type,auction,quantity,price,trade_id,order_id,order_execution_time,expiry_date']
  for (let i = 0; i < N; i++) {
    const d = iso(day(i))
    rows.push(i % 2 ? `RELIANCE,INE002A01018,${d},NSE,EQ,EQ,buy,false,${1 + (i % 20)},1250.45,${i},${i},${d}T09:31:12,` : `NIFTY2591624450PE,,${d},NFO,FO,OPT,sell,false,75,${100 + (i % 50)},${i},${i},${d}T09:20:00,2025-09-16`)
  }
  return rows.join('\n')
}

function schwab() {
  const rows = ['"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"']
  for (let i = 0; i < N; i++) {
    const d = us(day(i))
    rows.push(i % 2 ? `"${d}","Sell to Open","AAPL 06/20/2025 200.00 C","CALL AAPL","${1 + (i % 9)}","$3.${i % 100}","$0.66","$349.34"` : `"${d} as of ${d}","Buy","MSFT","MICROSOFT","${1 + (i % 50)}","$4${i % 100}.10","","-$1,234.56"`)
  }
  return rows.join('\n')
}

function tastyCsv() {
  const rows = ['Date,Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #']
  for (let i = 0; i < N; i++) {
    const t = new Date(day(i).getTime() + 15 * 3600_000 + (i % 3600) * 1000).toISOString().slice(0, 19)
    rows.push(`${t}+0000,Trade,SELL_TO_OPEN,PACB  221230C00010500,Equity Option,Sold 2 PACB 12/30/22 Call 10.50 @ 0.10,20.00,${1 + (i % 9)},10.00,-2.00,-0.254,100,PACB,PACB,12/30/22,10.5,CALL,${i}`)
  }
  return rows.join('\n')
}

export async function runTransactionsBench() {
  const {withContentKeys} = await import(dist('core/domain/ledger/events.js'))
  const parsers = [
    ['Fidelity activity', (await import(dist('core/adapters/transactions/fidelity.js'))).parseFidelityTransactions, fidelity],
    ['IBKR Flex Trades', (await import(dist('core/adapters/transactions/ibkr.js'))).parseIbkrFlexTransactions, ibkr],
    ['Zerodha tradebook', (await import(dist('core/adapters/transactions/zerodha.js'))).parseZerodhaTransactions, zerodha],
    ['Schwab transactions', (await import(dist('core/adapters/transactions/schwab.js'))).parseSchwabTransactions, schwab],
    ['tastytrade web CSV', (await import(dist('core/adapters/transactions/tastytrade.js'))).parseTastytradeCsvTransactions, tastyCsv],
  ]
  const portfolio = {name: 'bench', broker: 'file', account: 'U1', currency: 'USD', kind: 'real', tradingEnabled: false, limits: {}}
  for (const [name, parse, make] of parsers) {
    const text = make()
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    const {events} = parse(text, 'bench.csv', portfolio)
    const keyed = withContentKeys(events)
    const cpu = process.cpuUsage(c0)
    const ms = performance.now() - t0
    if (keyed.length !== N) throw new Error(`${name}: ${keyed.length} events, expected ${N}`)
    // CPU time beside wall time: on a shared machine the wall clock mostly measures the others.
    line(`parse + key 100,000 rows: ${name}`, `${(ms / 1000).toFixed(2)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`, '<= 2 s with the store')
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runTransactionsBench()
