import { eq, sql } from 'drizzle-orm'
import { monthlyUsage, tiers, usage, users } from '../../src/db/schema/index.js'
import { json, request, type TestContext, type TestUser } from '../helper.js'

/** A counted request that never reaches the upstream: a bad date is a 400, charged as failed. */
export const COUNTED_FAILURE = '/api/weather/location?location=Melbourne&state=VIC&date_from=not-a-date'

export async function createKey(ctx: TestContext, user: TestUser): Promise<string> {
  const created = json(await request(ctx, 'POST', '/api/keys', { name: 'metered' }, user.accessToken))
  ctx.secrets.add(created.key_value)
  return created.key_value
}

export function metered(ctx: TestContext, key: string, url = COUNTED_FAILURE) {
  return ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } })
}

/**
 * Tells the instances of a test of a change written straight to the database, as the admin
 * service does for its own edits, so that the next request sees it without waiting for the
 * database's notification.
 */
function announce(ctx: TestContext, change: string) {
  for (const app of [ctx.app, ...ctx.sharers]) app.changes.notify(change)
}

/** Sets what the free tier allows (every test user starts on it). */
export async function setFreeTier(ctx: TestContext, change: { monthlyQuota?: number | null; rateLimitPerHour?: number }) {
  await ctx.app.db.update(tiers).set(change).where(eq(tiers.name, 'free'))
  announce(ctx, 'tier:free')
}

export async function setUserTier(ctx: TestContext, user: TestUser, tier: 'free' | 'pro' | 'enterprise') {
  await ctx.app.db.update(users).set({ tier }).where(eq(users.id, user.id))
  announce(ctx, `user:${user.id}`)
}

/** Waits for answered requests to finish metering, then writes the buffer. */
export async function settle(...contexts: TestContext[]) {
  for (const ctx of contexts) {
    while (ctx.app.metering.inflight() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  for (const ctx of contexts) await ctx.app.metering.recorder.drain()
}

export async function usageRows(ctx: TestContext, user: TestUser) {
  const [row] = await ctx.app.db.select({ n: sql<number>`count(*)::int` }).from(usage).where(eq(usage.userId, user.id))
  return row?.n ?? 0
}

export async function counters(ctx: TestContext, user: TestUser) {
  return ctx.app.db.select().from(monthlyUsage).where(eq(monthlyUsage.userId, user.id)).orderBy(monthlyUsage.month)
}

export async function totalCounted(ctx: TestContext, user: TestUser) {
  return (await counters(ctx, user)).reduce((sum, row) => sum + row.totalRequests, 0)
}
