import { and, asc, count, eq, gt, ilike, inArray, isNull, or, sql } from 'drizzle-orm'
import type { Clock } from '../clock.js'
import type { Database } from '../db/client.js'
import { apiKeys, monthlyUsage, tiers, TIERS, users, type ROLES, type Tier, type User } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import { normalizeEmail } from './emails.js'
import { utcMonth } from './metering/months.js'
import type { SessionStore } from './sessions.js'

export type TierName = (typeof TIERS)[number]
export type Role = (typeof ROLES)[number]

export interface UserListQuery {
  /** Matched case-insensitively against email and full name; wildcards in it are literal. */
  q?: string | undefined
  limit: number
  offset: number
}

export interface UserChanges {
  tier?: TierName | undefined
  isActive?: boolean | undefined
  role?: Role | undefined
}

export interface TierChanges {
  /** null: unlimited. */
  monthlyQuota?: number | null | undefined
  rateLimitPerHour?: number | undefined
  maxApiKeys?: number | undefined
}

export interface AdminStats {
  month: string
  users: { total: number; active: number; admins: number; byTier: Record<TierName, number> }
  activeApiKeys: number
  requestsThisMonth: number
  /** null when the database cannot tell (an embedded build without the function). */
  databaseSizeBytes: number | null
}

export interface AdminDeps {
  db: Database
  clock: Clock
  sessions: Pick<SessionStore, 'revokeAllForUser'>
  /** Told of committed changes to what key lookups cache ("user:<id>", "tier:<name>"). */
  announce?: (change: string) => void
}

/** Escapes LIKE's wildcards (and its escape character), so the text matches only itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** Drops the keys whose value is undefined: what is left is what changes. */
function defined<T extends Record<string, unknown>>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<T>
}

const tierOrder = (name: string) => {
  const index = (TIERS as readonly string[]).indexOf(name)
  return index === -1 ? TIERS.length : index
}

/** What admins may see and change: accounts, tiers and service-wide numbers. */
export function createAdmin({ db, clock, sessions, announce = () => {} }: AdminDeps) {
  async function listUsers({ q, limit, offset }: UserListQuery): Promise<{ users: User[]; total: number }> {
    const term = q?.trim()
    const pattern = term ? `%${escapeLike(term)}%` : undefined
    const where = pattern ? or(ilike(users.email, pattern), ilike(users.fullName, pattern)) : undefined
    const rows = await db.select().from(users).where(where).orderBy(asc(users.id)).limit(limit).offset(offset)
    const [counted] = await db.select({ n: count() }).from(users).where(where)
    return { users: rows, total: counted?.n ?? 0 }
  }

  /**
   * Applies an admin's changes to an account. An admin cannot demote or deactivate themselves,
   * and the acting admin must still be an active admin when the change is made, so two admins
   * demoting each other at once cannot leave the service without one. Deactivation ends every
   * session of the account at once.
   */
  async function updateUser(actorId: number, id: number, changes: UserChanges): Promise<User> {
    if (id === actorId && (changes.role === 'user' || changes.isActive === false)) throw apiError('ADMIN_SELF_LOCKOUT')
    const set = defined({ tier: changes.tier, isActive: changes.isActive, role: changes.role })
    const updated = await db.transaction(async (tx) => {
      // Both rows are locked in id order, so concurrent edits serialise instead of deadlocking.
      const locked = await tx
        .select({ id: users.id, role: users.role, isActive: users.isActive })
        .from(users)
        .where(inArray(users.id, [actorId, id]))
        .orderBy(asc(users.id))
        .for('update')
      const actor = locked.find((row) => row.id === actorId)
      if (actor?.role !== 'admin' || !actor.isActive) throw apiError('FORBIDDEN')
      if (!locked.some((row) => row.id === id)) throw apiError('NOT_FOUND', { message: 'User not found' })
      const [row] = Object.keys(set).length > 0
        ? await tx.update(users).set(set).where(eq(users.id, id)).returning()
        : await tx.select().from(users).where(eq(users.id, id))
      return row!
    })
    announce(`user:${id}`)
    if (changes.isActive === false) await sessions.revokeAllForUser(id)
    return updated
  }

  /** Gives the account with this email the admin role; undefined when there is none. */
  async function grantAdmin(email: string): Promise<{ user: User; changed: boolean } | undefined> {
    const normalized = normalizeEmail(email)
    const [before] = await db.select({ role: users.role }).from(users).where(eq(users.email, normalized))
    if (!before) return undefined
    const [user] = await db.update(users).set({ role: 'admin' }).where(eq(users.email, normalized)).returning()
    if (!user) return undefined
    return { user, changed: before.role !== 'admin' }
  }

  /** Every tier, in the order free, pro, enterprise. */
  async function listTiers(): Promise<Tier[]> {
    const rows = await db.select().from(tiers)
    return rows.sort((a, b) => tierOrder(a.name) - tierOrder(b.name) || a.name.localeCompare(b.name))
  }

  /** Edits a tier; users of it get the new limits at their next request. */
  async function updateTier(name: string, changes: TierChanges): Promise<Tier> {
    const set = defined({ monthlyQuota: changes.monthlyQuota, rateLimitPerHour: changes.rateLimitPerHour, maxApiKeys: changes.maxApiKeys })
    const [tier] = Object.keys(set).length > 0
      ? await db.update(tiers).set(set).where(eq(tiers.name, name)).returning()
      : await db.select().from(tiers).where(eq(tiers.name, name))
    if (!tier) throw apiError('NOT_FOUND', { message: `Unknown tier: use one of ${TIERS.join(', ')}` })
    announce(`tier:${tier.name}`)
    return tier
  }

  async function databaseSize(): Promise<number | null> {
    try {
      const [row] = await db
        .select({ bytes: sql<number>`pg_database_size(current_database())::bigint`.mapWith(Number) })
        .from(sql`(select 1) as one`)
      return row && Number.isFinite(row.bytes) ? row.bytes : null
    } catch {
      return null
    }
  }

  async function stats(): Promise<AdminStats> {
    const now = clock.now()
    const month = utcMonth(now)
    // Aggregates are cast in SQL so that every driver hands back plain numbers.
    const [totals] = await db
      .select({
        total: sql<number>`count(*)::int`.mapWith(Number),
        active: sql<number>`count(*) filter (where ${users.isActive})::int`.mapWith(Number),
        admins: sql<number>`count(*) filter (where ${users.role} = 'admin')::int`.mapWith(Number),
      })
      .from(users)
    const perTier = await db
      .select({ tier: users.tier, n: sql<number>`count(*)::int`.mapWith(Number) })
      .from(users)
      .groupBy(users.tier)
    // Keys that would open the data routes now: a deactivated owner's keys are refused.
    const [keys] = await db
      .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(and(
        eq(apiKeys.isActive, true),
        isNull(apiKeys.deletedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
        eq(users.isActive, true),
      ))
    const [requests] = await db
      .select({ n: sql<number>`coalesce(sum(${monthlyUsage.totalRequests}), 0)::bigint`.mapWith(Number) })
      .from(monthlyUsage)
      .where(eq(monthlyUsage.month, month))
    const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<TierName, number>
    for (const row of perTier) byTier[row.tier] = row.n
    return {
      month,
      users: { total: totals?.total ?? 0, active: totals?.active ?? 0, admins: totals?.admins ?? 0, byTier },
      activeApiKeys: keys?.n ?? 0,
      requestsThisMonth: requests?.n ?? 0,
      databaseSizeBytes: await databaseSize(),
    }
  }

  return { listUsers, updateUser, grantAdmin, listTiers, updateTier, stats }
}

export type Admin = ReturnType<typeof createAdmin>
