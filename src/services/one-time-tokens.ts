import { and, eq, gt, isNull } from 'drizzle-orm'
import { addMs, HOUR, MINUTE, type Clock } from '../clock.js'
import type { Database } from '../db/client.js'
import { oneTimeTokens, type TokenPurpose } from '../db/schema/index.js'
import { randomToken, sha256Hex } from './secrets.js'

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  verify_email: 24 * HOUR,
  reset_password: HOUR,
}

/** At most one email of a purpose per account in this window; further requests are silently dropped. */
export const EMAIL_COOLDOWN_MS = 2 * MINUTE

/** A superseded token was deleted when its successor was issued, so it is `unknown`. */
export type TokenInspection = { state: 'valid'; expiresAt: Date } | { state: 'used' | 'expired' | 'unknown' }

export interface OneTimeTokenDeps {
  db: Database
  clock: Clock
}

export function createOneTimeTokens({ db, clock }: OneTimeTokenDeps) {
  /** Issues a token for `purpose`; older unused tokens of that purpose stop working. */
  async function issue(userId: number, purpose: TokenPurpose): Promise<string> {
    const token = randomToken()
    const now = clock.now()
    await db.transaction(async (tx) => {
      await tx
        .delete(oneTimeTokens)
        .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose), isNull(oneTimeTokens.usedAt)))
      await tx.insert(oneTimeTokens).values({
        userId,
        purpose,
        tokenHash: sha256Hex(token),
        createdAt: now,
        expiresAt: addMs(now, TOKEN_TTL_MS[purpose]),
      })
    })
    return token
  }

  /** Marks the token used and answers its user, or null; of racing uses exactly one wins. */
  async function consume(token: string, purpose: TokenPurpose): Promise<number | null> {
    const now = clock.now()
    const [row] = await db
      .update(oneTimeTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(oneTimeTokens.tokenHash, sha256Hex(token)),
          eq(oneTimeTokens.purpose, purpose),
          isNull(oneTimeTokens.usedAt),
          gt(oneTimeTokens.expiresAt, now),
        ),
      )
      .returning({ userId: oneTimeTokens.userId })
    return row?.userId ?? null
  }

  /**
   * Why a token cannot be used, or that it can: said to whoever holds the token, which is all
   * 256 random bits of it, so nobody learns anything they could not already try.
   */
  async function inspect(token: string, purpose: TokenPurpose): Promise<TokenInspection> {
    const [row] = await db
      .select({ usedAt: oneTimeTokens.usedAt, expiresAt: oneTimeTokens.expiresAt })
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.tokenHash, sha256Hex(token)), eq(oneTimeTokens.purpose, purpose)))
    if (!row) return { state: 'unknown' }
    if (row.usedAt) return { state: 'used' }
    if (row.expiresAt <= clock.now()) return { state: 'expired' }
    return { state: 'valid', expiresAt: row.expiresAt }
  }

  async function issuedWithinCooldown(userId: number, purpose: TokenPurpose): Promise<boolean> {
    const since = addMs(clock.now(), -EMAIL_COOLDOWN_MS)
    const [row] = await db
      .select({ id: oneTimeTokens.id })
      .from(oneTimeTokens)
      .where(and(eq(oneTimeTokens.userId, userId), eq(oneTimeTokens.purpose, purpose), gt(oneTimeTokens.createdAt, since)))
      .limit(1)
    return row !== undefined
  }

  return { issue, consume, inspect, issuedWithinCooldown }
}

export type OneTimeTokens = ReturnType<typeof createOneTimeTokens>
