/*
 * The three kinds of failure (see docs/ARCHITECTURE.md): the user can fix it (exit 2), the outside
 * failed (exit 1), or a bug (anything else, exit 1 with a stack under DEBUG). Risk-limit breaches are
 * findings, not errors; commands pick their exit code (3 with --fail-on-breach).
 */
export class UserError extends Error {
  readonly exitCode: number = 2
  readonly code: string
  constructor(message: string, code = 'usage') {
    super(message)
    this.name = 'UserError'
    this.code = code
  }
}

/** A bad configuration file: names the file, the key path or line, and the problem. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, 'config')
    this.name = 'ConfigError'
  }
}

/** A broker, a network or a file outside our control failed. */
export class ExternalError extends Error {
  readonly exitCode: number = 1
  readonly code: string
  constructor(message: string, code = 'external') {
    super(message)
    this.name = 'ExternalError'
    this.code = code
  }
}

/** The database file cannot be used (corrupt, foreign, newer schema): the user points us elsewhere or restores it. */
export class StoreError extends UserError {
  constructor(message: string) {
    super(message, 'store')
    this.name = 'StoreError'
  }
}
