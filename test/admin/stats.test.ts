import t from 'tap'
import { apiKeys, monthlyUsage } from '../../src/db/schema/index.js'
import { generateApiKey } from '../../src/services/api-keys.js'
import { build, createUser, json, request, TestClock, uniqueEmail, type TestContext, type TestUser } from '../helper.js'

const MINUTE = 60_000

async function buildWithAdmin(t: Parameters<typeof build>[0], clock?: TestClock) {
  const email = uniqueEmail('admin')
  const ctx = await build(t, { env: { ADMIN_EMAILS: email }, ...(clock ? { clock } : {}) })
  const admin = await createUser(ctx, { email })
  return { ctx, admin }
}

async function stats(ctx: TestContext, admin: TestUser) {
  const response = await request(ctx, 'GET', '/api/admin/stats', undefined, admin.accessToken)
  if (response.statusCode !== 200) throw new Error(`stats failed: ${response.statusCode} ${response.body}`)
  return json(response)
}

async function createKey(ctx: TestContext, user: TestUser, body: Record<string, unknown> = { name: 'k' }) {
  const parsed = json(await request(ctx, 'POST', '/api/keys', body, user.accessToken))
  ctx.secrets.add(parsed.key_value)
  return parsed.api_key.id as number
}

t.test('GET /stats on a new service', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const body = await stats(ctx, admin)
  t.equal(body.success, true)
  t.match(body.month, /^\d{4}-(0[1-9]|1[0-2])$/)
  t.equal(body.month, ctx.clock.now().toISOString().slice(0, 7))
  t.same(body.users, { total: 1, active: 1, admins: 1, by_tier: { free: 1, pro: 0, enterprise: 0 } })
  t.same(body.api_keys, { active: 0 })
  t.equal(body.requests_this_month, 0)
  t.type(body.database_size_bytes, 'number', 'pg_database_size works on this database')
  t.ok(body.database_size_bytes > 0)
})

t.test('GET /stats counts users, usable keys and this UTC month’s requests', async (t) => {
  const clock = new TestClock(new Date('2025-10-31T23:50:00Z'))
  const { ctx, admin } = await buildWithAdmin(t, clock)
  const [a, b, c] = [await createUser(ctx), await createUser(ctx), await createUser(ctx)] as [TestUser, TestUser, TestUser]

  // Keys: a keeps one of two; b has a deactivated one, a soon-expiring one and an expired one;
  // c's key is unusable once c is deactivated.
  await createKey(ctx, a)
  await request(ctx, 'DELETE', `/api/keys/${await createKey(ctx, a)}`, undefined, a.accessToken)
  await request(ctx, 'POST', `/api/keys/${await createKey(ctx, b)}/deactivate`, undefined, b.accessToken)
  await createKey(ctx, b, { name: 'short', expires_at: new Date(clock.now().getTime() + 5 * MINUTE).toISOString() })
  const expired = generateApiKey()
  await ctx.app.db.insert(apiKeys).values({
    userId: b.id, name: 'old', keyHash: expired.hash, keyPrefix: expired.prefix, createdAt: new Date('2025-01-01T00:00:00Z'), expiresAt: new Date('2025-02-01T00:00:00Z'),
  })
  await createKey(ctx, c)

  for (const [user, body] of [[a, { role: 'admin' }], [b, { tier: 'pro' }], [c, { is_active: false }]] as const) {
    t.equal((await request(ctx, 'PATCH', `/api/admin/users/${user.id}`, body, admin.accessToken)).statusCode, 200)
  }
  await ctx.app.db.insert(monthlyUsage).values([
    { userId: a.id, month: '2025-09', totalRequests: 100, successfulRequests: 100 },
    { userId: a.id, month: '2025-10', totalRequests: 7, successfulRequests: 6, failedRequests: 1 },
    { userId: b.id, month: '2025-10', totalRequests: 5, successfulRequests: 5 },
    { userId: c.id, month: '2025-10', totalRequests: 2_000_000_000, successfulRequests: 2_000_000_000 },
    { userId: a.id, month: '2025-11', totalRequests: 3, successfulRequests: 3 },
  ])

  const october = await stats(ctx, admin)
  t.equal(october.month, '2025-10')
  t.same(october.users, { total: 4, active: 3, admins: 2, by_tier: { free: 3, pro: 1, enterprise: 0 } })
  t.same(october.api_keys, { active: 2 })
  t.equal(october.requests_this_month, 2_000_000_012, 'summed past the 32-bit range, only for this month')
  t.type(october.requests_this_month, 'number')

  // 00:01 UTC on the 1st: a new month, and b's short-lived key has expired.
  clock.advance(11 * MINUTE)
  const november = await stats(ctx, admin)
  t.equal(november.month, '2025-11')
  t.equal(november.requests_this_month, 3)
  t.same(november.api_keys, { active: 1 })
  t.same(november.users.by_tier, { free: 3, pro: 1, enterprise: 0 })

  await request(ctx, 'PATCH', `/api/admin/users/${c.id}`, { is_active: true, tier: 'enterprise' }, admin.accessToken)
  const after = await stats(ctx, admin)
  t.same(after.users, { total: 4, active: 4, admins: 2, by_tier: { free: 2, pro: 1, enterprise: 1 } })
  t.same(after.api_keys, { active: 2 }, "a reactivated user's key counts again")
})
