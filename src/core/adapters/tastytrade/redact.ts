/*
 * Secrets never leave the adapter. axios errors carry the request headers (Authorization: Bearer …)
 * and the OAuth body (refresh_token, client_secret), so no axios error object is ever rethrown or
 * wrapped (doc §1.3, §2.4): errors are rebuilt from status + path + the server's error code and
 * message, and every such text passes through redact() first. A server may echo what it was sent,
 * which is why the server's own message is redacted too.
 */

const REDACTED = '[redacted]'

/** Anything that looks like a credential even when we never saw its value. */
const PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values (the lookaheads leave what is already redacted alone).
  [/\bBearer\s+(?!\[redacted\])[^\s"',;})\]]+/gi, `Bearer ${REDACTED}`],
  // JWTs (tastytrade access tokens are JWTs in production).
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, REDACTED],
  // key=value or "key":"value" for the OAuth fields and tokens.
  [/((?:access_token|refresh_token|client_secret|id_token|token|authorization)"?\s*[:=]\s*"?)(?!\[redacted\])[^"\s,&})\]]+/gi, `$1${REDACTED}`],
  // Long opaque strings (session ids, tokens): 40+ token characters in a row. `/` is left out so
  // paths (endpoints, the credentials file) stay readable; known secrets are cut by value anyway.
  [/[A-Za-z0-9_\-+=.~]{40,}/g, REDACTED],
]

export class Redactor {
  private readonly secrets = new Set<string>()

  /** Remembers a secret value (credentials, access tokens, quote tokens) so it is cut out by value. */
  add(value: string | null | undefined): void {
    // Very short values would cut ordinary words out of messages; real secrets are long.
    if (typeof value === 'string' && value.length >= 8) this.secrets.add(value)
  }

  /** One line with every known secret and anything token-looking replaced. */
  redact(text: string): string {
    let out = String(text)
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED)
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
    return out.replace(/[\r\n\t]+/g, ' ').trim()
  }
}
