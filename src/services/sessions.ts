import { createHmac, randomUUID } from 'node:crypto'
import { and, eq, isNull, max, sql } from 'drizzle-orm'
import { addMs, DAY, SECOND, type Clock } from '../clock.js'
import type { Database } from '../db/client.js'
import { refreshTokens } from '../db/schema/index.js'
import type { ChangeFeed } from './cache/change-feed.js'
import { createInvalidatedCache } from './cache/invalidated-cache.js'
import { randomToken, sha256Hex } from './secrets.js'

export const REFRESH_TOKEN_TTL_MS = 30 * DAY
/**
 * A client that fires two refreshes at once (two tabs, a retry) presents the same token twice.
 * Within this window the late one receives the very successor the first one got (never a new
 * branch); after it, presenting a rotated token revokes the family.
 */
export const REFRESH_REUSE_WINDOW_MS = 10 * SECOND
/** Rotations a duplicate may have to follow to reach the newest token within the window. */
const MAX_SUCCESSOR_STEPS = 32
/** A session id is a family id: a UUID. Anything else names no session (and is never queried). */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Sessions checked on every authenticated request; each entry is a few dozen bytes. */
const SESSION_CACHE = { max: 100_000, ttlMs: 60_000 }

/** The key of the successor derivation, kept apart from the JWT signing key it is derived from. */
export function sessionSecret(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('fetcha refresh-token successors').digest('base64url')
}

/** Ends every session of a user: what password changes, resets and deactivations do. */
export async function revokeAllSessions(db: Database, clock: Clock, userId: number): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: clock.now() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
}

export interface SessionStoreDeps {
  db: Database
  clock: Clock
  /** Derives each refresh token's successor, so that duplicates of one refresh agree on it. */
  successorSecret: string
  /** Keeps the session cache true across instances; without it every check reads the database. */
  changes?: ChangeFeed
}

export type RotationResult = { ok: true; userId: number; sessionId: string; refreshToken: string } | { ok: false }

export function createSessionStore({ db, clock, successorSecret, changes }: SessionStoreDeps) {
  /**
   * The successor of a refresh token is a keyed hash of it: only the holder of the token can
   * know it, and every racing duplicate of one refresh computes the same one.
   */
  const successorOf = (token: string) => createHmac('sha256', successorSecret).update(token).digest('base64url')

  const byHash = (token: string) => db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256Hex(token)))

  async function insertToken(executor: Pick<Database, 'insert'>, userId: number, familyId: string, token: string) {
    const now = clock.now()
    await executor.insert(refreshTokens).values({
      userId,
      familyId,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt: addMs(now, REFRESH_TOKEN_TTL_MS),
    })
  }

  /** A new session: the first refresh token of a new family, and the family's id (the `sid`). */
  async function issue(userId: number): Promise<{ refreshToken: string; sessionId: string }> {
    const sessionId = randomUUID()
    const refreshToken = randomToken()
    await insertToken(db, userId, sessionId, refreshToken)
    return { refreshToken, sessionId }
  }

  async function revokeFamily(familyId: string): Promise<void> {
    await db
      .update(refreshTokens)
      .set({ revokedAt: clock.now() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
  }

  /**
   * The newest token of a chain that a duplicate refresh joins late: successors are derived, so
   * the chain is followed from the presented token without storing any token in clear.
   */
  async function newestDescendant(token: string): Promise<string | undefined> {
    let current = token
    for (let step = 0; step < MAX_SUCCESSOR_STEPS; step++) {
      current = successorOf(current)
      const [row] = await byHash(current)
      if (!row || row.revokedAt) return undefined
      if (!row.rotatedAt) return current
    }
    return undefined
  }

  /** Exchanges a refresh token for its successor; a replayed token revokes its whole family. */
  async function rotate(token: string): Promise<RotationResult> {
    const now = clock.now()
    const [row] = await byHash(token)
    if (!row || row.revokedAt || row.expiresAt <= now) return { ok: false }
    const successor = successorOf(token)

    // The claim and the successor's insert commit together: a racing duplicate waits on the row
    // lock, then finds the token rotated and its successor stored.
    const claimed = await db.transaction(async (tx) => {
      const [won] = await tx
        .update(refreshTokens)
        .set({ rotatedAt: now })
        .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id })
      if (won) await insertToken(tx, row.userId, row.familyId, successor)
      return won !== undefined
    })
    if (claimed) return { ok: true, userId: row.userId, sessionId: row.familyId, refreshToken: successor }

    // Someone rotated it first: a racing duplicate of the same client, or a replay.
    const [current] = await db.select().from(refreshTokens).where(eq(refreshTokens.id, row.id))
    const racing = current?.rotatedAt && !current.revokedAt && now.getTime() - current.rotatedAt.getTime() <= REFRESH_REUSE_WINDOW_MS
    if (racing) {
      const newest = await newestDescendant(token)
      if (newest) return { ok: true, userId: row.userId, sessionId: row.familyId, refreshToken: newest }
      return { ok: false }
    }
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

  const revokeAllForUser = (userId: number) => revokeAllSessions(db, clock, userId)

  // Every authenticated request asks whether its session is live: answered from memory, and the
  // database announces each revocation (trigger of migration 0006), so a revoked session stops
  // working at once on every instance.
  const liveUntil = db
    .select({ userId: refreshTokens.userId, until: max(refreshTokens.expiresAt) })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, sql.placeholder('sessionId')), isNull(refreshTokens.revokedAt)))
    .groupBy(refreshTokens.userId)
    .prepare('session_live_until')
  interface SessionState {
    userId: number | null
    until: number
  }
  const readState = async (sessionId: string): Promise<SessionState> => {
    const [row] = await liveUntil.execute({ sessionId })
    return { userId: row?.userId ?? null, until: row?.until ? new Date(row.until).getTime() : 0 }
  }
  const cache = changes ? createInvalidatedCache<string, SessionState>(changes, SESSION_CACHE) : undefined
  changes?.on('session', ([familyId]) => familyId && cache?.delete(familyId))

  const liveIn = (state: SessionState, userId: number) => state.userId === userId && state.until > clock.now().getTime()

  /**
   * Whether the session `sessionId` of `userId` is live: not logged out, revoked or expired.
   * Answered without a promise when the state is in memory, as it is for nearly every request.
   */
  function isLive(sessionId: string, userId: number): boolean | Promise<boolean> {
    const known = cache?.peek(sessionId)
    if (known) return liveIn(known, userId)
    if (!SESSION_ID.test(sessionId)) return false
    return (cache ? cache.get(sessionId, () => readState(sessionId)) : readState(sessionId)).then((state) => liveIn(state, userId))
  }

  return { issue, rotate, revoke, revokeAllForUser, isLive }
}

export type SessionStore = ReturnType<typeof createSessionStore>
