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
/** Only for a user whose tier row is missing, which the foreign key prevents. */
const DEFAULT_MAX_ACTIVE_KEYS = 10

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

  async function create(userId: number, input: { name: string; expiresAt: Date | null }) {
    const now = clock.now()
    if (input.expiresAt && input.expiresAt <= now) {
      throw apiError('VALIDATION_ERROR', { extra: { details: [{ field: 'expires_at', message: 'must be in the future' }] } })
    }
    const generated = generateApiKey()
    const key = await db.transaction(async (tx) => {
      // Locking the owner's row serialises key creation per user, so racing requests cannot
      // exceed the limit.
      const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update')
      if (!owner) throw apiError('NOT_FOUND')
      // Read inside the transaction, so a tier edit applies to the very next request.
      const [tier] = await tx.select({ maxApiKeys: tiers.maxApiKeys }).from(users).innerJoin(tiers, eq(tiers.name, users.tier)).where(eq(users.id, userId))
      const [active] = await tx.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.userId, userId), activeAt(now)))
      const limit = tier?.maxApiKeys ?? DEFAULT_MAX_ACTIVE_KEYS
      if ((active?.n ?? 0) >= limit) {
        throw apiError('KEY_LIMIT_REACHED', { message: `Your tier allows ${limit} active API keys; deactivate or delete one first`, extra: { limit } })
      }
      const [row] = await tx
        .insert(apiKeys)
        .values({ userId, name: input.name, keyHash: generated.hash, keyPrefix: generated.prefix, createdAt: now, expiresAt: input.expiresAt })
        .returning()
      return row!
    })
    return { key, value: generated.value }
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
   * Issues a successor with the same name and expiry; the old key keeps working for the grace
   * period (never longer than it would have anyway), so clients can switch without downtime.
   */
  async function rotate(userId: number, id: number) {
    const now = clock.now()
    const old = await get(userId, id)
    if (!isKeyActive(old, now)) throw apiError('KEY_INACTIVE', { message: 'Only an active API key can be rotated' })
    const graceEnd = addMs(now, rotationGraceMs)
    const oldExpiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd
    const generated = generateApiKey()
    const key = await db.transaction(async (tx) => {
      await tx.update(apiKeys).set({ expiresAt: oldExpiresAt }).where(eq(apiKeys.id, old.id))
      const [row] = await tx
        .insert(apiKeys)
        .values({ userId, name: old.name, keyHash: generated.hash, keyPrefix: generated.prefix, createdAt: now, expiresAt: old.expiresAt })
        .returning()
      return row!
    })
    announce(`key:${old.id}`)
    return { key, value: generated.value, oldKeyExpiresAt: oldExpiresAt }
  }

  return { list, get, create, rename, deactivate, remove, rotate, status: (key: ApiKey) => keyStatus(key, clock.now()) }
}

export type ApiKeys = ReturnType<typeof createApiKeys>
