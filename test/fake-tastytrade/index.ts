/* The local fake tastytrade (REST + DXLink) and its scenarios. */
export * from './server.js'
export * from './scenario.js'
export * from './market.js'
export * from './harness.js'
export * from './transactions.js'
