/*
 * OAuth refresh-token credentials: TASTYTRADE_CLIENT_SECRET + TASTYTRADE_REFRESH_TOKEN from the
 * environment, else the JSON file named by tastytrade.credentials_file ({"client_secret",
 * "refresh_token"}). Refresh tokens never expire (doc §1.2), so the file is as sensitive as a
 * password: it must not be readable by anyone but its owner.
 */
import {readFileSync, statSync} from 'node:fs'

export interface TastytradeCredentials {
  clientSecret: string
  refreshToken: string
  /** `environment` or the file's path, for messages. */
  source: string
}

export const HOW_TO_SET =
  'set TASTYTRADE_CLIENT_SECRET and TASTYTRADE_REFRESH_TOKEN (or tastytrade.credentials_file in the config)'

/** The credentials, or a one-line problem telling the user what to do. Never includes a secret. */
export function resolveCredentials(
  env: NodeJS.ProcessEnv,
  credentialsFile: string | undefined,
): {credentials: TastytradeCredentials} | {problem: string} {
  const secret = env.TASTYTRADE_CLIENT_SECRET?.trim()
  const token = env.TASTYTRADE_REFRESH_TOKEN?.trim()
  if (secret && token) return {credentials: {clientSecret: secret, refreshToken: token, source: 'environment'}}
  if (credentialsFile) return readCredentialsFile(credentialsFile)
  if (secret || token) return {problem: `${secret ? 'TASTYTRADE_REFRESH_TOKEN' : 'TASTYTRADE_CLIENT_SECRET'} is not set; ${HOW_TO_SET}`}
  return {problem: HOW_TO_SET}
}

function readCredentialsFile(file: string): {credentials: TastytradeCredentials} | {problem: string} {
  const shape = '{"client_secret": "...", "refresh_token": "..."}'
  let mode: number
  try {
    mode = statSync(file).mode
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {problem: `tastytrade credentials file ${file} does not exist; create it with ${shape} and run chmod 600 ${file}`}
    return {problem: `tastytrade credentials file ${file} cannot be read (${code})`}
  }
  // POSIX permissions only; Windows has no group/other bits to check.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    return {problem: `tastytrade credentials file ${file} is accessible by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${file}`}
  }
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Never echo the file's content or the parser's message (it quotes the text).
    return {problem: code ? `tastytrade credentials file ${file} cannot be read (${code})` : `tastytrade credentials file ${file} is not valid JSON; expected ${shape}`}
  }
  const obj = (data ?? {}) as Record<string, unknown>
  const secret = typeof obj.client_secret === 'string' ? obj.client_secret.trim() : ''
  const token = typeof obj.refresh_token === 'string' ? obj.refresh_token.trim() : ''
  const missing = [secret ? null : 'client_secret', token ? null : 'refresh_token'].filter(Boolean)
  if (missing.length > 0) return {problem: `tastytrade credentials file ${file} lacks ${missing.join(' and ')}; expected ${shape}`}
  return {credentials: {clientSecret: secret, refreshToken: token, source: file}}
}
