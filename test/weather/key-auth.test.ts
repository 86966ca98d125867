import { eq, sql } from 'drizzle-orm'
import t from 'tap'
import { apiKeys, users } from '../../src/db/schema/index.js'
import { sha256Hex } from '../../src/services/secrets.js'
import { build, createUser, json, request, type TestContext, type TestUser } from '../helper.js'
import { eventually } from '../helpers/eventually.js'

// The states list is public; the stations list needs a key but not the upstream when given a bad state.
const DATA_ROUTE = '/api/weather/stations?state=NOWHERE'
/** A change made outside the app reaches its key cache by database notification, in milliseconds. */
const NOTIFICATION_BOUND_MS = 2_000

async function newKey(ctx: TestContext, user: TestUser, body: Record<string, unknown> = {}) {
  const created = json(await request(ctx, 'POST', '/api/keys', body, user.accessToken))
  ctx.secrets.add(created.key_value)
  return { id: created.api_key.id as number, value: created.key_value as string }
}

function withKey(ctx: TestContext, headers: Record<string, string>, url = DATA_ROUTE) {
  return ctx.app.inject({ method: 'GET', url, headers })
}

async function codeOf(response: Promise<{ statusCode: number; body: string }>) {
  const r = await response
  return `${r.statusCode} ${json(r as never).code}`
}

t.test('API key authentication on data routes', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await newKey(ctx, user)

  t.equal(await codeOf(withKey(ctx, { 'x-api-key': key.value })), '400 INVALID_STATE', 'a valid key passes to the handler')
  t.equal(await codeOf(withKey(ctx, { authorization: `Bearer ${key.value}` })), '400 INVALID_STATE', 'also as a Bearer credential')
  t.equal(await codeOf(withKey(ctx, {})), '401 API_KEY_MISSING')
  t.equal(await codeOf(withKey(ctx, {}, `${DATA_ROUTE}&api_key=${key.value}`)), '401 API_KEY_IN_QUERY')
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': key.value }, `${DATA_ROUTE}&api_key=x`)), '401 API_KEY_IN_QUERY', 'refused even beside a header')
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': 'short' })), '401 API_KEY_MALFORMED')
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': `fw_${'A'.repeat(43)}` })), '401 API_KEY_INVALID')
  t.equal(await codeOf(withKey(ctx, { authorization: `Bearer ${user.accessToken}` })), '401 LOGIN_TOKEN_NOT_ACCEPTED', 'a JWT does not open data routes, and is told so')

  const expiring = await newKey(ctx, user, { expires_at: new Date(ctx.clock.now().getTime() + 60_000).toISOString() })
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': expiring.value })), '400 INVALID_STATE')
  ctx.clock.advance(61_000)
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': expiring.value })), '401 API_KEY_EXPIRED')

  const deactivated = await newKey(ctx, user)
  await request(ctx, 'POST', `/api/keys/${deactivated.id}/deactivate`, undefined, user.accessToken)
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': deactivated.value })), '401 API_KEY_INACTIVE', 'deactivation works at once')

  const deleted = await newKey(ctx, user)
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': deleted.value })), '400 INVALID_STATE')
  await request(ctx, 'DELETE', `/api/keys/${deleted.id}`, undefined, user.accessToken)
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': deleted.value })), '401 API_KEY_REVOKED', 'deletion works at once')

  // Straight in the database, as an operator would: the change reaches the key cache as a notification.
  await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.id, user.id))
  const disabled = await eventually(() => codeOf(withKey(ctx, { 'x-api-key': key.value })), (code) => code === '401 ACCOUNT_DISABLED', NOTIFICATION_BOUND_MS)
  t.equal(disabled.value, '401 ACCOUNT_DISABLED', `a deactivated owner's keys stop (${disabled.ms} ms)`)
})

t.test("an old service's key, stored as the SHA-256 of the whole key, still works", async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const legacy = 'wk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0'
  ctx.secrets.add(legacy)
  await ctx.app.db.insert(apiKeys).values({ userId: user.id, name: 'from the old service', keyHash: sha256Hex(legacy), keyPrefix: legacy.slice(0, 8) })
  t.equal(await codeOf(withKey(ctx, { 'x-api-key': legacy })), '400 INVALID_STATE')
})

t.test('last_used is written in batches, not per request', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await newKey(ctx, user)
  for (let i = 0; i < 5; i++) await withKey(ctx, { 'x-api-key': key.value })
  const lastUsed = async () => (await ctx.app.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]?.lastUsed
  t.equal(await lastUsed(), null, 'no write on the request path')
  t.equal(ctx.app.keyUsage.pendingCount(), 1, 'five uses of one key are one pending write')
  await ctx.app.keyUsage.flush()
  t.same(await lastUsed(), ctx.clock.now())
  ctx.clock.advance(5_000)
  await withKey(ctx, { 'x-api-key': key.value })
  await ctx.app.keyUsage.flush()
  t.same(await lastUsed(), ctx.clock.now(), 'kept current')
  const listed = json(await request(ctx, 'GET', '/api/keys', undefined, user.accessToken))
  t.equal(listed.api_keys[0].last_used, ctx.clock.now().toISOString(), 'and shown in the key list')
})

t.test('the plaintext key never reaches the database', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await newKey(ctx, user)
  await withKey(ctx, { 'x-api-key': key.value })
  const tables = ['users', 'api_keys', 'refresh_tokens', 'one_time_tokens']
  for (const table of tables) {
    const rows = await ctx.app.db.execute(sql.raw(`select * from ${table}`))
    t.notOk(JSON.stringify(rows).includes(key.value), `not in ${table}`)
    t.notOk(JSON.stringify(rows).includes(key.value.slice(3)), `not even without its prefix, in ${table}`)
  }
})
