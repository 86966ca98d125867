import { createHash, randomBytes } from 'node:crypto'

/** A bearer secret of 256 random bits, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Tokens are stored only as this digest; high-entropy secrets need no salt or slow hash. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}
