import { count, eq, sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client.js'
import { apiKeys, monthlyUsage, observations, stateCatalogues, stationMonths, stations, tiers, usage, users } from '../../src/db/schema/index.js'
import { observationColumns, type ObservationRecord } from '../../src/domain/observation-fields.js'
import { generateApiKey } from '../../src/services/api-keys.js'
import { hashPassword } from '../../src/services/passwords.js'

/** A past, complete month: served from storage, never refetched. */
export const BENCH_MONTH = '2025-10'
export const BENCH_STATION = { pageId: 'IDCJDW3033', name: 'Melbourne (Olympic Park)', state: 'VIC' } as const
/** Other stations of the state, so that matching a location searches a realistic catalogue. */
const CATALOGUE_SIZE = 400
/** Below the column's integer bound, far beyond what the run can use. */
const LARGE_QUOTA = 2_000_000_000

/** Accounts the login row signs in to, one per connection: one account's concurrent logins would lock it. */
export const LOGIN_ACCOUNTS = 50

export interface Seeded {
  email: string
  password: string
  /** More accounts with the same password, for the login row. */
  loginEmails: string[]
  apiKey: string
  userId: number
}

function observation(day: number): ObservationRecord {
  const entries = observationColumns.map((column, i) => {
    if (column.kind === 'date') return [column.field, `${BENCH_MONTH}-${String(day).padStart(2, '0')}`]
    if (column.kind === 'text') return [column.field, i % 2 === 0 ? 'NNW' : '13:45']
    return [column.field, Math.round((10 + ((day * 7 + i * 3) % 25) + i / 10) * 10) / 10]
  })
  return Object.fromEntries(entries) as ObservationRecord
}

/** The enterprise tier with a large finite quota, one verified user with a key, one stored month. */
export async function seed(db: Database): Promise<Seeded> {
  const password = 'bench-password-not-secret-7Qx!'
  const email = 'bench@fetcha.test'
  // One hash serves every account: the login row measures verification, which costs the same.
  const sharedHash = await hashPassword(password)
  await db.update(tiers).set({ monthlyQuota: LARGE_QUOTA, rateLimitPerHour: LARGE_QUOTA, maxApiKeys: 100 }).where(eq(tiers.name, 'enterprise'))
  const [user] = await db
    .insert(users)
    .values({ email, passwordHash: sharedHash, fullName: 'Benchmark', emailVerified: true, tier: 'enterprise' })
    .returning({ id: users.id })
  const loginEmails = Array.from({ length: LOGIN_ACCOUNTS }, (_, i) => `login-${i}@fetcha.test`)
  await db.insert(users).values(loginEmails.map((address) => ({ email: address, passwordHash: sharedHash, fullName: 'Benchmark', emailVerified: true })))
  const key = generateApiKey()
  await db.insert(apiKeys).values({ userId: user!.id, name: 'bench', keyHash: key.hash, keyPrefix: key.prefix })

  const now = new Date()
  const others = Array.from({ length: CATALOGUE_SIZE }, (_, i) => ({ pageId: `IDCJDW3${String(100 + i)}`, name: `Station ${i} Vic`, state: 'VIC' }))
  await db.insert(stations).values([BENCH_STATION, ...others].map((s) => ({ ...s, updatedAt: now })))
  await db.insert(stateCatalogues).values({ state: 'VIC', syncedAt: now, stationCount: CATALOGUE_SIZE + 1 })
  const days = Array.from({ length: 31 }, (_, i) => observation(i + 1))
  await db.insert(observations).values(days.map((d) => ({ ...d, pageId: BENCH_STATION.pageId })))
  await db.insert(stationMonths).values({ pageId: BENCH_STATION.pageId, month: BENCH_MONTH, fetchedAt: now, complete: true, rowCount: days.length })
  return { email, password, loginEmails, apiKey: key.value, userId: user!.id }
}

/** What the metered run must have left behind: one usage row and one counted request per answer. */
export async function meteringTotals(db: Database, userId: number) {
  const [rows] = await db.select({ n: count() }).from(usage).where(eq(usage.userId, userId))
  const [counted] = await db
    .select({ n: sql<number>`coalesce(sum(${monthlyUsage.totalRequests}), 0)::int` })
    .from(monthlyUsage)
    .where(eq(monthlyUsage.userId, userId))
  return { usageRows: rows?.n ?? 0, counter: counted?.n ?? 0 }
}
