import { randomBytes } from 'node:crypto'
import { and, count, desc, eq, gt, isNull, or } from 'drizzle-orm'
import { addMs, type Clock } from '../clock.js'
import type { Database } from '../db/client.js'
import { apiKeys, tiers, users, type ApiKey } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import { sha256Hex } from './secrets.js'

export const KEY_PREFIX = 'fw_'
/** `fw_` and 43 base64url characters: 32 random bytes. */
export const KEY_PATTERN = /^fw_[A-Za-z0-9_-]{43}$/
/** What lists show of a key: enough to tell keys apart, far too little to guess one. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8
/** Ours are `fw_` + 43 characters; keys of the old service have other shapes and still work. */
export const ACCEPTED_KEY = /^[A-Za-z0-9_\-.~+/=]{16,128}$/

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

/** The stored form of a key: its digest and the prefix lists show. */
export function storedKey(value: string) {
  return { hash: sha256Hex(value), prefix: value.slice(0, DISPLAY_PREFIX_LENGTH) }
}

export function generateApiKey() {
  const value = KEY_PREFIX + randomBytes(32).toString('base64url')
  return { value, ...storedKey(value) }
}

/** Active: not deactivated, not deleted, not expired at `now`. */
export function isKeyActive(key: Pick<ApiKey, 'isActive' | 'deletedAt' | 'expiresAt'>, now: Date): boolean {
  return key.isActive && key.deletedAt === null && (key.expiresAt === null || key.expiresAt > now)
}

export const KEY_STATUSES = ['active', 'deactivated', 'expired'] as const
export type KeyStatus = (typeof KEY_STATUSES)[number]

/** What a listed (not deleted) key is at `now`; a deactivated key is that, whatever its expiry. */
export function keyStatus(key: Pick<ApiKey, 'isActive' | 'deletedAt' | 'expiresAt'>, now: Date): KeyStatus {
  if (!key.isActive || key.deletedAt !== null) return 'deactivated'
  return isKeyActive(key, now) ? 'active' : 'expired'
}

/** A key in its grace period after a rotation: it is not rotated twice. */
function keyRotating(successorId: number, expiresAt: Date | null) {
  const until = expiresAt ? `; this key works until ${expiresAt.toISOString()}` : ''
  return apiError('KEY_ROTATING', {
    message: `This API key has already been rotated: its successor is key ${successorId}${until}`,
    extra: { successor_id: successorId, old_key_expires_at: expiresAt?.toISOString() ?? null },
  })
}

export interface ApiKeyDeps {
  db: Database
  clock: Clock
  rotationGraceMs: number
  /**
   * Told of each change to a key's usability once it is committed, so that this instance's key
   * cache forgets it before the database's notification arrives ("key:<id>").
   */
  announce?: (change: string) => void
}

export function createApiKeys({ db, clock, rotationGraceMs, announce = () => {} }: ApiKeyDeps) {
  const activeAt = (now: Date) =>
    and(eq(apiKeys.isActive, true), isNull(apiKeys.deletedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)))

  async function list(userId: number, includeInactive: boolean): Promise<ApiKey[]> {
    const now = clock.now()
    return db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt), includeInactive ? undefined : activeAt(now)))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
  }

  /** Another user's key and a deleted key are both "not found": ids reveal nothing. */
  async function get(userId: number, id: number): Promise<ApiKey> {
    const [key] = await db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
    if (!key) throw apiError('NOT_FOUND', { message: 'API key not found' })
    return key
  }

  /**
   * Locks the owner's row until the transaction ends and answers the tier's key limit. Every
   * creation and rotation of an account takes this lock first, so they are decided one at a time
   * and the active keys each one counts are still all there are when it commits, whatever races
   * it, on whatever instance. NO KEY UPDATE, so rows that only reference the user (usage,
   * sessions) are still written meanwhile. The tier is read here too, so a tier edit applies to
   * the very next request.
   */
  async function lockOwner(tx: Transaction, userId: number): Promise<{ maxApiKeys: number }> {
    const [owner] = await tx
      .select({ maxApiKeys: tiers.maxApiKeys })
      .from(users)
      .innerJoin(tiers, eq(tiers.name, users.tier))
      .where(eq(users.id, userId))
      .for('no key update', { of: users })
    if (!owner) throw apiError('NOT_FOUND')
    return owner
  }

  /** Refuses one more active key when the owner already has as many as `limit`; under `lockOwner`. */
  async function ensureRoomForKey(tx: Transaction, userId: number, limit: number, now: Date, why: string): Promise<void> {
    const [active] = await tx.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.userId, userId), activeAt(now)))
    if ((active?.n ?? 0) >= limit) {
      throw apiError('KEY_LIMIT_REACHED', { message: `Your tier allows ${limit} active API keys${why}; deactivate or delete one first`, extra: { limit } })
    }
  }

  async function insertKey(tx: Transaction, values: { userId: number; name: string; now: Date; expiresAt: Date | null }) {
    const generated = generateApiKey()
    const [row] = await tx
      .insert(apiKeys)
      .values({ userId: values.userId, name: values.name, keyHash: generated.hash, keyPrefix: generated.prefix, createdAt: values.now, expiresAt: values.expiresAt })
      .returning()
    return { key: row!, value: generated.value }
  }

  async function create(userId: number, input: { name: string; expiresAt: Date | null }) {
    const now = clock.now()
    if (input.expiresAt && input.expiresAt <= now) {
      throw apiError('VALIDATION_ERROR', { extra: { details: [{ field: 'expires_at', message: 'must be in the future' }] } })
    }
    return db.transaction(async (tx) => {
      const { maxApiKeys } = await lockOwner(tx, userId)
      await ensureRoomForKey(tx, userId, maxApiKeys, now, '')
      return insertKey(tx, { userId, name: input.name, now, expiresAt: input.expiresAt })
    })
  }

  async function update(userId: number, id: number, changes: Partial<Pick<ApiKey, 'name' | 'isActive' | 'expiresAt' | 'deletedAt'>>) {
    const [key] = await db
      .update(apiKeys)
      .set(changes)
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
      .returning()
    if (!key) throw apiError('NOT_FOUND', { message: 'API key not found' })
    announce(`key:${key.id}`)
    return key
  }

  const rename = (userId: number, id: number, name: string) => update(userId, id, { name })
  const deactivate = (userId: number, id: number) => update(userId, id, { isActive: false })
  /** The key stops working at once; its row stays so that its usage history keeps its key. */
  const remove = (userId: number, id: number) => update(userId, id, { isActive: false, deletedAt: clock.now() })

  /**
   * Issues a successor with the same name and no expiry; the old key keeps working for the grace
   * period (never longer than it would have anyway), so clients can switch without downtime. A
   * key is rotated once: rotating it again while it is in its grace period is KEY_ROTATING, naming
   * the successor, so a retried rotation cannot issue a second successor, one that would end with
   * the old key's grace period. The successor counts against the key limit like a new key, since
   * the old one is still active until its grace period ends.
   */
  async function rotate(userId: number, id: number) {
    const now = clock.now()
    const rotated = await db.transaction(async (tx) => {
      const { maxApiKeys } = await lockOwner(tx, userId)
      // Read under the owner's lock, so a rotation that won a race has committed and is seen here;
      // the key's own lock orders this after (or before) a concurrent deactivation or deletion.
      const [old] = await tx
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
        .for('no key update')
      if (!old) throw apiError('NOT_FOUND', { message: 'API key not found' })
      if (!isKeyActive(old, now)) throw apiError('KEY_INACTIVE', { message: 'Only an active API key can be rotated' })
      if (old.rotatedTo !== null) throw keyRotating(old.rotatedTo, old.expiresAt)
      await ensureRoomForKey(tx, userId, maxApiKeys, now, ', and the old key of a rotation stays active until its grace period ends')
      const successor = await insertKey(tx, { userId, name: old.name, now, expiresAt: null })
      const graceEnd = addMs(now, rotationGraceMs)
      const oldKeyExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd
      await tx.update(apiKeys).set({ expiresAt: oldKeyExpiresAt, rotatedTo: successor.key.id }).where(eq(apiKeys.id, old.id))
      return { ...successor, oldKeyExpiresAt }
    })
    announce(`key:${id}`)
    return rotated
  }

  return { list, get, create, rename, deactivate, remove, rotate, status: (key: ApiKey) => keyStatus(key, clock.now()) }
}

export type ApiKeys = ReturnType<typeof createApiKeys>
