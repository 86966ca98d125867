import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { tiers, users } from '../../src/db/schema/index.js'
import { build, createUser, json, request, type TestContext } from '../helper.js'
import { changesHeard } from '../helpers/changes.js'
import { eventually } from '../helpers/eventually.js'
import { createKey, metered } from '../metering/helpers.js'

/** Key authentication is checked before the state, so this answers 400 for a usable key. */
const DATA_ROUTE = '/api/weather/stations?state=NOWHERE'
const NOTIFICATION_BOUND_MS = 2_000

async function codeWith(ctx: TestContext, key: string) {
  const response = await ctx.app.inject({ method: 'GET', url: DATA_ROUTE, headers: { 'x-api-key': key } })
  return `${response.statusCode} ${json(response).code}`
}

const accepted = (code: string) => code === '400 INVALID_STATE'

t.test('a key revoked through another instance stops working on this one', async (t) => {
  const first = await build(t)
  const second = await build(t, { shareDatabaseWith: first })
  const user = await createUser(first)
  const key = await createKey(first, user)
  t.equal(await codeWith(first, key), '400 INVALID_STATE', 'the key works on the first instance (and is cached there)')
  t.equal(await codeWith(second, key), '400 INVALID_STATE', 'and on the second')

  const [listed] = json(await request(second, 'GET', '/api/keys', undefined, user.accessToken)).api_keys
  await request(second, 'POST', `/api/keys/${listed.id}/deactivate`, undefined, user.accessToken)
  t.equal(await codeWith(second, key), '401 API_KEY_INACTIVE', 'at once on the instance that made the change')
  const seen = await eventually(() => codeWith(first, key), (code) => code === '401 API_KEY_INACTIVE', NOTIFICATION_BOUND_MS)
  t.equal(seen.value, '401 API_KEY_INACTIVE', `on the other instance after ${seen.ms} ms`)
})

t.test("a tier edited in SQL applies to cached keys of the tier's users", async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  const limitHeader = async () => (await metered(ctx, key)).headers['x-ratelimit-limit']
  const before = await limitHeader()
  await ctx.app.db.update(tiers).set({ rateLimitPerHour: 777 }).where(eq(tiers.name, 'free'))
  const after = await eventually(limitHeader, (limit) => limit === '777', NOTIFICATION_BOUND_MS)
  t.not(before, '777')
  t.equal(after.value, '777', `the new hourly limit applies (${after.ms} ms)`)
})

t.test('lookups are served from memory while the change feed listens, and from the database otherwise', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await changesHeard(ctx)
  t.equal(await codeWith(ctx, key), '400 INVALID_STATE')

  // A change the database does not announce shows what the cache serves.
  await ctx.app.db.execute(sql`alter table users disable trigger users_cache_change`)
  t.teardown(() => ctx.app.db.execute(sql`alter table users enable trigger users_cache_change`).then(() => undefined))
  await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.id, user.id))
  t.equal(await codeWith(ctx, key), '400 INVALID_STATE', 'the cached lookup answers without reading the database')

  // Without the feed, nothing cached can be trusted: the next lookup reads the database.
  ctx.app.changes.setListening(false)
  t.equal(await codeWith(ctx, key), '401 ACCOUNT_DISABLED', 'with the feed down the change is seen at once')
  await ctx.app.db.update(users).set({ isActive: true }).where(eq(users.id, user.id))
  t.ok(accepted(await codeWith(ctx, key)), 'and nothing read meanwhile was kept')
  ctx.app.changes.setListening(true)
  t.ok(accepted(await codeWith(ctx, key)), 'listening again, lookups resume')
})
