import { eq } from 'drizzle-orm'
import t from 'tap'
import { apiKeys, tiers } from '../../src/db/schema/index.js'
import { sha256Hex } from '../../src/services/secrets.js'
import { build, createUser, json, login, request, type TestContext, type TestUser } from '../helper.js'

const KEY_FORMAT = /^fw_[A-Za-z0-9_-]{43}$/
const HOUR = 3_600_000

async function createKey(ctx: TestContext, user: TestUser, body: Record<string, unknown> = { name: 'primary' }) {
  const response = await request(ctx, 'POST', '/api/keys', body, user.accessToken)
  const parsed = json(response)
  if (parsed.key_value) ctx.secrets.add(parsed.key_value)
  return { response, body: parsed }
}

t.test('API keys', async (t) => {
  const ctx = await build(t)
  const alice = await createUser(ctx)
  const bob = await createUser(ctx)

  t.test('create shows the key once and stores only its hash', async (t) => {
    const { response, body } = await createKey(ctx, alice, { name: 'laptop' })
    t.equal(response.statusCode, 201)
    t.match(body.key_value, KEY_FORMAT)
    t.same(Object.keys(body.api_key).sort(), ['created_at', 'expires_at', 'id', 'is_active', 'key_prefix', 'last_used', 'name', 'status'])
    t.equal(body.api_key.name, 'laptop')
    t.ok(body.key_value.startsWith(body.api_key.key_prefix))
    t.ok(body.api_key.key_prefix.length < 16, 'the prefix is short')
    const [row] = await ctx.app.db.select().from(apiKeys).where(eq(apiKeys.id, body.api_key.id))
    t.equal(row?.keyHash, sha256Hex(body.key_value))
    const stored = JSON.stringify(await ctx.app.db.select().from(apiKeys))
    t.notOk(stored.includes(body.key_value), 'the plaintext key is nowhere in the table')
    const fetched = json(await request(ctx, 'GET', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken))
    t.notOk(JSON.stringify(fetched).includes(body.key_value), 'reading the key back never shows it')
  })

  t.test('a bare POST creates a key with a default name', async (t) => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${alice.accessToken}` } })
    t.equal(response.statusCode, 201)
    ctx.secrets.add(json(response).key_value)
    t.equal(json(response).api_key.name, 'Default')
  })

  t.test('list, rename, deactivate, include_inactive', async (t) => {
    const { body } = await createKey(ctx, alice, { name: 'to-rename' })
    const id = body.api_key.id
    const renamed = await request(ctx, 'PUT', `/api/keys/${id}`, { name: '  ci runner ' }, alice.accessToken)
    t.equal(renamed.statusCode, 200)
    t.equal(json(renamed).api_key.name, 'ci runner')
    t.equal((await request(ctx, 'PUT', `/api/keys/${id}`, { name: '' }, alice.accessToken)).statusCode, 400)

    const deactivated = await request(ctx, 'POST', `/api/keys/${id}/deactivate`, undefined, alice.accessToken)
    t.equal(deactivated.statusCode, 200)
    t.equal(json(deactivated).api_key.is_active, false)
    t.equal(json(deactivated).api_key.status, 'deactivated')

    const active = json(await request(ctx, 'GET', '/api/keys', undefined, alice.accessToken))
    t.notOk(active.api_keys.some((k: { id: number }) => k.id === id), 'inactive keys are hidden by default')
    t.equal(active.total, active.api_keys.length)
    const all = json(await request(ctx, 'GET', '/api/keys?include_inactive=true', undefined, alice.accessToken))
    t.ok(all.api_keys.some((k: { id: number }) => k.id === id))
    t.equal((await request(ctx, 'GET', '/api/keys?include_inactive=maybe', undefined, alice.accessToken)).statusCode, 400)
  })

  t.test('delete hides the key and keeps its row', async (t) => {
    const { body } = await createKey(ctx, alice, { name: 'doomed' })
    const deleted = await request(ctx, 'DELETE', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken)
    t.equal(deleted.statusCode, 200)
    t.equal((await request(ctx, 'GET', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken)).statusCode, 404)
    const all = json(await request(ctx, 'GET', '/api/keys?include_inactive=true', undefined, alice.accessToken))
    t.notOk(all.api_keys.some((k: { id: number }) => k.id === body.api_key.id))
    const [row] = await ctx.app.db.select().from(apiKeys).where(eq(apiKeys.id, body.api_key.id))
    t.ok(row?.deletedAt, 'the row stays, marked deleted')
    t.equal((await request(ctx, 'DELETE', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken)).statusCode, 404)
  })

  t.test("another user's key is 404 on every route", async (t) => {
    const { body } = await createKey(ctx, alice, { name: 'private' })
    const id = body.api_key.id
    const attempts = [
      request(ctx, 'GET', `/api/keys/${id}`, undefined, bob.accessToken),
      request(ctx, 'PUT', `/api/keys/${id}`, { name: 'mine now' }, bob.accessToken),
      request(ctx, 'POST', `/api/keys/${id}/deactivate`, undefined, bob.accessToken),
      request(ctx, 'POST', `/api/keys/${id}/rotate`, undefined, bob.accessToken),
      request(ctx, 'DELETE', `/api/keys/${id}`, undefined, bob.accessToken),
    ]
    for (const response of await Promise.all(attempts)) {
      t.equal(response.statusCode, 404)
      t.equal(json(response).code, 'NOT_FOUND')
    }
    const still = json(await request(ctx, 'GET', `/api/keys/${id}`, undefined, alice.accessToken))
    t.equal(still.api_key.name, 'private')
    t.equal(still.api_key.is_active, true)
    const bobsList = json(await request(ctx, 'GET', '/api/keys?include_inactive=true', undefined, bob.accessToken))
    t.equal(bobsList.total, 0)
  })

  t.test('bad input is 400 and no token is 401', async (t) => {
    t.equal((await request(ctx, 'GET', '/api/keys/abc', undefined, alice.accessToken)).statusCode, 400)
    t.equal((await request(ctx, 'GET', '/api/keys/0', undefined, alice.accessToken)).statusCode, 400)
    t.equal((await request(ctx, 'GET', '/api/keys/99999999999', undefined, alice.accessToken)).statusCode, 400)
    t.equal((await request(ctx, 'POST', '/api/keys', { name: 'x'.repeat(101) }, alice.accessToken)).statusCode, 400)
    t.equal((await request(ctx, 'POST', '/api/keys', { expires_at: 'tomorrow' }, alice.accessToken)).statusCode, 400)
    const past = await request(ctx, 'POST', '/api/keys', { expires_at: new Date(ctx.clock.now().getTime() - 1000).toISOString() }, alice.accessToken)
    t.equal(past.statusCode, 400)
    t.equal(json(past).details[0].field, 'expires_at')
    t.equal((await request(ctx, 'GET', '/api/keys')).statusCode, 401)
  })

  t.test('an API key does not open account routes', async (t) => {
    const { body } = await createKey(ctx, bob, { name: 'data only' })
    const viaBearer = await request(ctx, 'GET', '/api/keys', undefined, body.key_value)
    t.equal(viaBearer.statusCode, 401)
    const viaHeader = await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': body.key_value } })
    t.equal(viaHeader.statusCode, 401)
  })
})

t.test('active keys are limited per user, also under concurrency', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const attempts = await Promise.all(Array.from({ length: 14 }, (_, i) => createKey(ctx, user, { name: `k${i}` })))
  const created = attempts.filter((a) => a.response.statusCode === 201)
  const refused = attempts.filter((a) => a.response.statusCode === 400)
  t.equal(created.length, 10)
  t.equal(refused.length, 4)
  t.equal(refused[0]?.body.code, 'KEY_LIMIT_REACHED')
  // Deactivating one frees a slot.
  await request(ctx, 'POST', `/api/keys/${created[0]?.body.api_key.id}/deactivate`, undefined, user.accessToken)
  t.equal((await createKey(ctx, user, { name: 'replacement' })).response.statusCode, 201)
})

t.test('rotate issues a new key; the old one expires after the grace period', async (t) => {
  const ctx = await build(t)
  const alice = await createUser(ctx)
  const { body } = await createKey(ctx, alice, { name: 'rotating' })
  const rotated = await request(ctx, 'POST', `/api/keys/${body.api_key.id}/rotate`, undefined, alice.accessToken)
  t.equal(rotated.statusCode, 201)
  const result = json(rotated)
  ctx.secrets.add(result.key_value)
  t.match(result.key_value, KEY_FORMAT)
  t.not(result.key_value, body.key_value)
  t.equal(result.api_key.name, 'rotating')
  t.equal(new Date(result.old_key_expires_at).getTime(), ctx.clock.now().getTime() + 24 * HOUR)
  const old = json(await request(ctx, 'GET', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken))
  t.equal(old.api_key.is_active, true, 'still usable during the grace period')
  t.equal(old.api_key.status, 'active')
  ctx.clock.advance(24 * HOUR + 1000)
  // The access token has long expired too: log in again.
  alice.accessToken = json(await login(ctx, alice.email, alice.password)).access_token
  const later = json(await request(ctx, 'GET', `/api/keys/${body.api_key.id}`, undefined, alice.accessToken))
  t.equal(later.api_key.is_active, false, 'expired after it')
  t.equal(later.api_key.status, 'expired', 'and says so')
  const again = await request(ctx, 'POST', `/api/keys/${body.api_key.id}/rotate`, undefined, alice.accessToken)
  t.equal(again.statusCode, 409)
  t.equal(json(again).code, 'KEY_INACTIVE')
})

t.test("the tier's max_api_keys applies at the next request", async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  await ctx.app.db.update(tiers).set({ maxApiKeys: 2 }).where(eq(tiers.name, 'free'))
  t.equal((await createKey(ctx, user, { name: 'one' })).response.statusCode, 201)
  t.equal((await createKey(ctx, user, { name: 'two' })).response.statusCode, 201)
  const third = await createKey(ctx, user, { name: 'three' })
  t.equal(third.response.statusCode, 400)
  t.equal(third.body.limit, 2)
})
