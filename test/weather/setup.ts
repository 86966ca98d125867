import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema/index.js'
import { build, createUser, json, type BuildOptions, type TestContext } from '../helper.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { TestClock } from '../helpers/clock.js'
import { vicSite } from './bom-site.js'

// 5 November 2025, 10:00 in Melbourne: October is a past month, November the current one.
export const NOW = new Date('2025-11-04T23:00:00Z')

/** An app reading the fixture BOM site, and a key of an enterprise user (no hourly limit in the way). */
export async function setup(t: Parameters<typeof build>[0], routes = vicSite(), options: BuildOptions = {}) {
  const bom = await startBomServer(routes)
  t.teardown(bom.close)
  const ctx = await build(t, { env: { BOM_BASE_URL: bom.baseUrl }, clock: new TestClock(NOW), ...options })
  const user = await createUser(ctx)
  // Enterprise: these tests send more than the free tier's 10 requests an hour.
  await ctx.app.db.update(users).set({ tier: 'enterprise' }).where(eq(users.id, user.id))
  const created = json(await ctx.app.inject({ method: 'POST', url: '/api/keys', payload: { name: 'test' }, headers: { authorization: `Bearer ${user.accessToken}` } }))
  ctx.secrets.add(created.key_value)
  return { ctx, bom, user, key: created.key_value as string }
}

export function weather(ctx: TestContext, key: string, query: string) {
  return ctx.app.inject({ method: 'GET', url: `/api/weather/location?${query}`, headers: { 'x-api-key': key } })
}

/** An app reading the fixture BOM site, and a key of a user left on the free tier (a metered quota). */
export async function setupFreeTier(t: Parameters<typeof build>[0]) {
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const ctx = await build(t, { env: { BOM_BASE_URL: bom.baseUrl }, clock: new TestClock(NOW) })
  const user = await createUser(ctx)
  const created = json(await ctx.app.inject({ method: 'POST', url: '/api/keys', payload: {}, headers: { authorization: `Bearer ${user.accessToken}` } }))
  ctx.secrets.add(created.key_value)
  return { ctx, bom, user, key: created.key_value as string }
}
