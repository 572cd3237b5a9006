/* The tastytrade adapter's public surface; the sync service imports adapter.js directly. */
export * from './adapter.js'
