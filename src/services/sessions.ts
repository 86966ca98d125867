import { randomUUID } from 'node:crypto'
import { and, eq, isNull } from 'drizzle-orm'
import { addMs, DAY, SECOND, type Clock } from '../clock.js'
import type { Database } from '../db/client.js'
import { refreshTokens } from '../db/schema/index.js'
import { randomToken, sha256Hex } from './secrets.js'

export const REFRESH_TOKEN_TTL_MS = 30 * DAY
/**
 * A client that fires two refreshes at once (two tabs, a retry) presents the same token twice.
 * Within this window the late one gets a sibling token in the same family instead of tripping
 * reuse detection; after it, presenting a rotated token revokes the family.
 */
export const REFRESH_REUSE_WINDOW_MS = 10 * SECOND

export interface SessionStoreDeps {
  db: Database
  clock: Clock
}

export type RotationResult = { ok: true; userId: number; refreshToken: string } | { ok: false }

export function createSessionStore({ db, clock }: SessionStoreDeps) {
  async function issue(userId: number, familyId: string = randomUUID()): Promise<string> {
    const token = randomToken()
    const now = clock.now()
    await db.insert(refreshTokens).values({
      userId,
      familyId,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt: addMs(now, REFRESH_TOKEN_TTL_MS),
    })
    return token
  }

  async function revokeFamily(familyId: string): Promise<void> {
    await db
      .update(refreshTokens)
      .set({ revokedAt: clock.now() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
  }

  /** Exchanges a refresh token for its successor; a replayed token revokes its whole family. */
  async function rotate(token: string): Promise<RotationResult> {
    const now = clock.now()
    const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256Hex(token)))
    if (!row || row.revokedAt || row.expiresAt <= now) return { ok: false }

    const [claimed] = await db
      .update(refreshTokens)
      .set({ rotatedAt: now })
      .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id })
    if (claimed) return { ok: true, userId: row.userId, refreshToken: await issue(row.userId, row.familyId) }

    // Someone rotated it first: a racing duplicate of the same client, or a replay.
    const [current] = await db.select().from(refreshTokens).where(eq(refreshTokens.id, row.id))
    const racing = current?.rotatedAt && !current.revokedAt && now.getTime() - current.rotatedAt.getTime() <= REFRESH_REUSE_WINDOW_MS
    if (racing) return { ok: true, userId: row.userId, refreshToken: await issue(row.userId, row.familyId) }
    await revokeFamily(row.familyId)
    return { ok: false }
  }

  /** Logout: ends the session the token belongs to. Unknown tokens are ignored. */
  async function revoke(token: string): Promise<void> {
    const [row] = await db
      .select({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256Hex(token)))
    if (row) await revokeFamily(row.familyId)
  }

  async function revokeAllForUser(userId: number): Promise<void> {
    await db
      .update(refreshTokens)
      .set({ revokedAt: clock.now() })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
  }

  return { issue, rotate, revoke, revokeAllForUser }
}

export type SessionStore = ReturnType<typeof createSessionStore>
