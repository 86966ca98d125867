import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { monthlyUsage, tiers, usage, users, type UsageRow } from '../../src/db/schema/index.js'
import { rebuildDailyRollups } from '../../src/services/usage/rollups.js'
import { build, createUser, json, request, TestClock, type TestContext, type TestLike, type TestUser } from '../helper.js'

/** Mid-November 2025: the default month of every report in these tests. */
export const NOW = new Date('2025-11-15T12:00:00Z')

/** An app whose clock reads NOW, with the user under test and a neighbour whose rows must never show. */
export async function setup(t: TestLike) {
  const ctx = await build(t, { clock: new TestClock(NOW) })
  const user = await createUser(ctx)
  const other = await createUser(ctx)
  return { ctx, user, other }
}

export type UsageInput = Omit<Partial<UsageRow>, 'timestamp'> & { timestamp: Date | string }

/** Inserts usage rows directly, as the metering would have written them. */
export async function insertUsage(ctx: TestContext, user: TestUser, rows: UsageInput[]) {
  if (rows.length === 0) return
  await ctx.app.db.insert(usage).values(
    rows.map((row) => ({
      requestId: randomUUID(),
      endpoint: '/api/weather/location',
      responseTimeMs: 100,
      statusCode: 200,
      ...row,
      userId: user.id,
      timestamp: new Date(row.timestamp),
    })),
  )
  await rebuildDailyRollups(ctx.app.db, [user.id])
}

export async function setCounters(
  ctx: TestContext,
  user: TestUser,
  month: string,
  counters: { total: number; successful: number; failed: number; responseTimeMs: number; lastUpdated?: Date },
) {
  await ctx.app.db.insert(monthlyUsage).values({
    userId: user.id,
    month,
    totalRequests: counters.total,
    successfulRequests: counters.successful,
    failedRequests: counters.failed,
    totalResponseTimeMs: counters.responseTimeMs,
    lastUpdated: counters.lastUpdated ?? NOW,
  })
}

export async function setTier(ctx: TestContext, user: TestUser, tier: 'free' | 'pro' | 'enterprise') {
  await ctx.app.db.update(users).set({ tier }).where(eq(users.id, user.id))
}

export async function setQuota(ctx: TestContext, tier: 'free' | 'pro' | 'enterprise', monthlyQuota: number | null) {
  await ctx.app.db.update(tiers).set({ monthlyQuota }).where(eq(tiers.name, tier))
}

export async function get(ctx: TestContext, user: TestUser, url: string) {
  const response = await request(ctx, 'GET', url, undefined, user.accessToken)
  return { status: response.statusCode, body: json(response), headers: response.headers }
}

/** An API key of the user: a data credential that account routes must refuse. */
export async function apiKeyOf(ctx: TestContext, user: TestUser): Promise<string> {
  const created = json(await request(ctx, 'POST', '/api/keys', { name: 'usage tests' }, user.accessToken))
  ctx.secrets.add(created.key_value)
  return created.key_value
}

/** Moves the clock and gives the user a session that is fresh at the new time. */
export async function moveClock(ctx: TestContext, user: TestUser, to: Date | string) {
  ctx.clock.set(new Date(to))
  const session = await ctx.app.sessions.issue(user.id)
  user.accessToken = ctx.app.signAccessToken(user.id, session.sessionId)
  user.refreshToken = session.refreshToken
}
