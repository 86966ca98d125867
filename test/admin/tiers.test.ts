import { eq } from 'drizzle-orm'
import t from 'tap'
import { tiers } from '../../src/db/schema/index.js'
import { build, createUser, json, request, uniqueEmail, type TestContext, type TestUser } from '../helper.js'

const LAUNCH_TIERS = [
  { name: 'free', monthly_quota: 100, rate_limit_per_hour: 10, max_api_keys: 10 },
  { name: 'pro', monthly_quota: 5000, rate_limit_per_hour: 100, max_api_keys: 10 },
  { name: 'enterprise', monthly_quota: null, rate_limit_per_hour: 1000, max_api_keys: 10 },
]

async function buildWithAdmin(t: Parameters<typeof build>[0]) {
  const email = uniqueEmail('admin')
  const ctx = await build(t, { env: { ADMIN_EMAILS: email } })
  const admin = await createUser(ctx, { email })
  return { ctx, admin }
}

function putTier(ctx: TestContext, admin: TestUser, name: string, body: unknown) {
  return request(ctx, 'PUT', `/api/admin/tiers/${name}`, body, admin.accessToken)
}

async function tierRow(ctx: TestContext, name: string) {
  const [row] = await ctx.app.db.select().from(tiers).where(eq(tiers.name, name))
  return row
}

t.test('GET /tiers lists the launch tiers in order', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const response = await request(ctx, 'GET', '/api/admin/tiers', undefined, admin.accessToken)
  t.equal(response.statusCode, 200)
  t.same(json(response), { success: true, tiers: LAUNCH_TIERS })
})

t.test('PUT /tiers/:name edits a tier', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)

  t.test('one field changes; the others stay', async (t) => {
    const response = await putTier(ctx, admin, 'free', { monthly_quota: 250 })
    t.equal(response.statusCode, 200)
    t.same(json(response), { success: true, tier: { name: 'free', monthly_quota: 250, rate_limit_per_hour: 10, max_api_keys: 10 } })
    t.same(await tierRow(ctx, 'free'), { name: 'free', monthlyQuota: 250, rateLimitPerHour: 10, maxApiKeys: 10 })
    const listed = json(await request(ctx, 'GET', '/api/admin/tiers', undefined, admin.accessToken))
    t.same(listed.tiers.map((x: { name: string }) => x.name), ['free', 'pro', 'enterprise'])
    t.equal(listed.tiers[0].monthly_quota, 250, 'GET /tiers shows the edit')
  })

  t.test('every field at once, and the edges of each range', async (t) => {
    const response = await putTier(ctx, admin, 'enterprise', { monthly_quota: 1_000_000_000, rate_limit_per_hour: 1_000_000, max_api_keys: 1000 })
    t.equal(response.statusCode, 200)
    t.same(json(response).tier, { name: 'enterprise', monthly_quota: 1_000_000_000, rate_limit_per_hour: 1_000_000, max_api_keys: 1000 })
    const low = await putTier(ctx, admin, 'enterprise', { monthly_quota: 0, rate_limit_per_hour: 1, max_api_keys: 0 })
    t.same(json(low).tier, { name: 'enterprise', monthly_quota: 0, rate_limit_per_hour: 1, max_api_keys: 0 })
    t.same(await tierRow(ctx, 'enterprise'), { name: 'enterprise', monthlyQuota: 0, rateLimitPerHour: 1, maxApiKeys: 0 })
  })

  t.test('a null monthly quota means unlimited (and is stored as null, not 0)', async (t) => {
    const response = await putTier(ctx, admin, 'pro', { monthly_quota: null })
    t.equal(response.statusCode, 200)
    t.equal(json(response).tier.monthly_quota, null)
    t.equal((await tierRow(ctx, 'pro'))?.monthlyQuota, null)
    const back = await putTier(ctx, admin, 'pro', { monthly_quota: 5000, note: 'ignored' })
    t.equal(json(back).tier.monthly_quota, 5000)
    t.notOk('note' in json(back).tier)
  })

  t.test('an unknown tier is 404', async (t) => {
    for (const name of ['gold', 'FREE', 'x'.repeat(50)]) {
      const response = await putTier(ctx, admin, name, { max_api_keys: 5 })
      t.equal(response.statusCode, 404, name)
      t.equal(json(response).code, 'NOT_FOUND')
    }
    t.equal((await putTier(ctx, admin, 'x'.repeat(51), { max_api_keys: 5 })).statusCode, 400, 'an absurd name is refused early')
  })

  t.test('bad values are 400 and change nothing', async (t) => {
    const before = await tierRow(ctx, 'pro')
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ price: 10 }, 'body'],
      [{ monthly_quota: -1 }, 'monthly_quota'],
      [{ monthly_quota: 1.5 }, 'monthly_quota'],
      [{ monthly_quota: 1_000_000_001 }, 'monthly_quota'],
      [{ monthly_quota: 'lots' }, 'monthly_quota'],
      [{ monthly_quota: '' }, 'monthly_quota'],
      [{ monthly_quota: false }, 'monthly_quota'],
      [{ rate_limit_per_hour: '50' }, 'rate_limit_per_hour'],
      [{ rate_limit_per_hour: 0 }, 'rate_limit_per_hour'],
      [{ rate_limit_per_hour: 1_000_001 }, 'rate_limit_per_hour'],
      [{ rate_limit_per_hour: null }, 'rate_limit_per_hour'],
      [{ max_api_keys: -1 }, 'max_api_keys'],
      [{ max_api_keys: 1001 }, 'max_api_keys'],
      [{ max_api_keys: null }, 'max_api_keys'],
      [{ monthly_quota: 10, max_api_keys: null }, 'max_api_keys'],
    ]
    for (const [body, field] of cases) {
      const response = await putTier(ctx, admin, 'pro', body)
      t.equal(response.statusCode, 400, JSON.stringify(body))
      t.equal(json(response).code, 'VALIDATION_ERROR')
      t.ok(json(response).details.some((d: { field: string }) => d.field.startsWith(field)), `details name ${field}`)
    }
    t.same(await tierRow(ctx, 'pro'), before)
  })
})

t.test("a tier's max_api_keys edit applies to the next key creation", async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const user = await createUser(ctx)
  t.equal((await putTier(ctx, admin, 'free', { max_api_keys: 1 })).statusCode, 200)
  const first = await request(ctx, 'POST', '/api/keys', { name: 'one' }, user.accessToken)
  t.equal(first.statusCode, 201)
  ctx.secrets.add(json(first).key_value)
  const second = await request(ctx, 'POST', '/api/keys', { name: 'two' }, user.accessToken)
  t.equal(second.statusCode, 400)
  t.equal(json(second).code, 'KEY_LIMIT_REACHED')
  // Moving the user to a tier with room lifts the limit at once.
  await request(ctx, 'PATCH', `/api/admin/users/${user.id}`, { tier: 'pro' }, admin.accessToken)
  const third = await request(ctx, 'POST', '/api/keys', { name: 'three' }, user.accessToken)
  t.equal(third.statusCode, 201)
  ctx.secrets.add(json(third).key_value)
})
