import t from 'tap'
import { build, createUser, json, request, type TestContext, type TestUser } from '../helper.js'
import { createKey, metered, setFreeTier, settle, totalCounted } from './helpers.js'

const LIMIT = 4

async function rotate(ctx: TestContext, user: TestUser, key: string): Promise<string> {
  const listed = json(await request(ctx, 'GET', '/api/keys', undefined, user.accessToken)).api_keys as { id: number; key_prefix: string }[]
  const id = listed.find((k) => key.startsWith(k.key_prefix))!.id
  const rotated = json(await request(ctx, 'POST', `/api/keys/${id}/rotate`, undefined, user.accessToken))
  ctx.secrets.add(rotated.key_value)
  return rotated.key_value
}

t.test("the tier's hourly rate limit applies per account", async (t) => {
  const ctx = await build(t)
  await setFreeTier(ctx, { monthlyQuota: 1_000, rateLimitPerHour: LIMIT })

  t.test('two keys of one account share one limit', async (t) => {
    const user = await createUser(ctx)
    const keys = [await createKey(ctx, user), await createKey(ctx, user)]
    const responses = []
    for (let i = 0; i < LIMIT + 2; i++) responses.push(await metered(ctx, keys[i % 2]!))
    t.same(responses.map((r) => r.statusCode), [...Array(LIMIT).fill(400), 429, 429], `${LIMIT} pass in all, then both keys are refused`)
    t.same(responses.slice(0, LIMIT).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'one count for both keys')
    await settle(ctx)
    t.equal(await totalCounted(ctx, user), LIMIT, 'refusals are not counted')
  })

  t.test('creating a key does not reset it', async (t) => {
    const user = await createUser(ctx)
    const key = await createKey(ctx, user)
    for (let i = 0; i < LIMIT; i++) t.equal((await metered(ctx, key)).statusCode, 400)
    const fresh = await createKey(ctx, user)
    const refused = await metered(ctx, fresh)
    t.equal(refused.statusCode, 429, 'a new key of the same account is refused')
    t.equal(json(refused).code, 'RATE_LIMITED')
  })

  t.test('rotating a key does not reset it', async (t) => {
    const user = await createUser(ctx)
    const key = await createKey(ctx, user)
    for (let i = 0; i < LIMIT; i++) t.equal((await metered(ctx, key)).statusCode, 400)
    const successor = await rotate(ctx, user, key)
    t.equal((await metered(ctx, successor)).statusCode, 429, 'the successor is refused')
    t.equal((await metered(ctx, key)).statusCode, 429, 'and so is the old key in its grace period')
  })

  t.test('another account is not affected', async (t) => {
    const spent = await createUser(ctx)
    const spentKey = await createKey(ctx, spent)
    for (let i = 0; i < LIMIT + 1; i++) await metered(ctx, spentKey)
    const other = await createUser(ctx)
    const answered = await metered(ctx, await createKey(ctx, other))
    t.equal(answered.statusCode, 400)
    t.equal(answered.headers['x-ratelimit-remaining'], String(LIMIT - 1), 'its own count')
  })

  t.test('the 429 names the tier, the limit, that it is for the account, and when it resets', async (t) => {
    const user = await createUser(ctx)
    const key = await createKey(ctx, user)
    for (let i = 0; i < LIMIT; i++) await metered(ctx, key)
    const refused = await metered(ctx, key)
    const body = json(refused)
    t.equal(refused.statusCode, 429)
    t.equal(body.success, false)
    t.equal(body.code, 'RATE_LIMITED', 'the stable code')
    const retryAfter = Number(refused.headers['retry-after'])
    t.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After in seconds (${retryAfter})`)
    t.equal(refused.headers['x-ratelimit-limit'], String(LIMIT))
    t.equal(refused.headers['x-ratelimit-remaining'], '0')
    t.ok(refused.headers['x-ratelimit-reset'], 'X-RateLimit-Reset')
    const match = /^free tier: 4 requests per hour for your account \(all its API keys together\), resets at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(body.error)
    t.ok(match, `the sentence says what the limit is (${body.error})`)
    const resetsAt = new Date(match?.[1] ?? 0).getTime()
    const expected = ctx.clock.now().getTime() + retryAfter * 1000
    t.ok(Math.abs(resetsAt - expected) <= 1000, 'the reset time agrees with Retry-After')
    t.same(body.rate_limit, { tier: 'free', limit_per_hour: LIMIT, scope: 'account', resets_at: match?.[1] }, 'and the same as fields')
    t.equal(body.retry_after, retryAfter)
  })
})
