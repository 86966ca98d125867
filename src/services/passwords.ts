import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'
import bcrypt from 'bcryptjs'

/** OWASP's minimum for argon2id: 19 MiB, two passes, one lane (about 25 ms a hash here). */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const

const LEGACY_BCRYPT = /^\$2[aby]\$\d\d\$/

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS)
}

export interface PasswordCheck {
  ok: boolean
  /** The stored hash is a legacy bcrypt hash or weaker argon2 parameters: store a new one. */
  needsRehash: boolean
}

/** Whether a stored hash is of a kind this service verifies (argon2, or the old service's bcrypt). */
export function isVerifiableHash(storedHash: string): boolean {
  return storedHash.startsWith('$argon2') || LEGACY_BCRYPT.test(storedHash)
}

export async function verifyPassword(storedHash: string, password: string): Promise<PasswordCheck> {
  if (storedHash.startsWith('$argon2')) {
    const ok = await argon2.verify(storedHash, password).catch(() => false)
    return { ok, needsRehash: ok && argon2.needsRehash(storedHash, ARGON2_OPTIONS) }
  }
  if (LEGACY_BCRYPT.test(storedHash)) {
    const ok = await bcrypt.compare(password, storedHash).catch(() => false)
    return { ok, needsRehash: ok }
  }
  return { ok: false, needsRehash: false }
}

let dummyHash: Promise<string> | undefined

/**
 * Spends the time of a real verification, so that an unknown email answers no faster than a
 * wrong password.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
  await argon2.verify(await dummyHash, password).catch(() => false)
}
