import { randomInt } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { Redis } from 'ioredis'
import t from 'tap'
import { build, createUser, json, type TestContext } from '../helper.js'
import { createKey, metered, setFreeTier, settle, totalCounted, usageRows } from './helpers.js'
import { limiterEntries } from '../helpers/rate-limit-redis.js'

const LIMIT = 4
const redisUrl = process.env.TEST_REDIS_URL || undefined

/**
 * Hourly limits are per account, keyed `user:<user id>`. Ids come from the test's own database,
 * but Redis outlives it and is shared by every run: user ids start at a random point, so that no
 * other run's accounts collide with this one's.
 */
async function randomUserIds(ctx: TestContext): Promise<void> {
  await ctx.app.db.execute(sql.raw(`alter table users alter column id restart with ${randomInt(1_000_000, 2_000_000_000)}`))
}

/** Removes what an earlier run may have left for these user ids. */
async function flushLimiter(redis: Redis, ids: number[]): Promise<void> {
  for (const id of ids) {
    const keys = await limiterEntries(redis, id)
    if (keys.length > 0) await redis.del(...keys)
  }
}

const statuses = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode)

if (redisUrl) {
  t.test('with REDIS_URL, two instances share one hourly limit per account', async (t) => {
    const ids: number[] = []
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    t.teardown(async () => {
      await flushLimiter(redis, ids)
      await redis.quit()
    })

    const first = await build(t, { env: { REDIS_URL: redisUrl } })
    const second = await build(t, { shareDatabaseWith: first, env: { REDIS_URL: redisUrl } })
    await randomUserIds(first)
    const user = await createUser(first)
    const key = await createKey(first, user)
    const other = json(await first.app.inject({
      method: 'POST', url: '/api/keys', payload: { name: 'other' }, headers: { authorization: `Bearer ${user.accessToken}` },
    })).key_value as string
    first.secrets.add(other)
    ids.push(user.id)
    await flushLimiter(redis, ids)
    await setFreeTier(first, { monthlyQuota: 100_000, rateLimitPerHour: LIMIT })

    const responses = []
    for (let i = 0; i < 2 * LIMIT; i++) responses.push(await metered(i % 2 === 0 ? first : second, key))
    t.same(statuses(responses), [400, 400, 400, 400, 429, 429, 429, 429], 'exactly the limit passes, alternating between the instances')
    t.same(responses.slice(0, LIMIT).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'one count: each instance sees the other\'s requests')
    for (const [i, response] of responses.entries()) {
      t.equal(response.headers['x-ratelimit-limit'], String(LIMIT), `request ${i + 1}: X-RateLimit-Limit ${LIMIT}`)
    }
    for (const [i, response] of responses.slice(LIMIT).entries()) {
      t.equal(json(response).code, 'RATE_LIMITED', `refusal ${i + 1}: RATE_LIMITED`)
      t.ok(Number(response.headers['retry-after']) > 0, `refusal ${i + 1}: Retry-After`)
    }

    const entries = await limiterEntries(redis, ids[0]!)
    t.equal(entries.length, 1, 'the counter lives in Redis under the namespace')
    t.equal(Number(await redis.get(entries[0]!)), 2 * LIMIT, 'and holds every attempt')

    t.equal((await metered(first, other)).statusCode, 429, 'another key of the same account is limited too (first instance)')
    t.equal((await metered(second, other)).statusCode, 429, 'another key of the same account is limited too (second instance)')
    t.equal(Number(await redis.get(entries[0]!)), 2 * LIMIT + 2, 'in the same counter')

    await settle(first, second)
    t.equal(await usageRows(first, user), LIMIT, 'refusals are not counted: only the 4 passed')
    t.equal(await totalCounted(first, user), LIMIT, 'and the monthly counter agrees')
  })
} else {
  t.test('without REDIS_URL, each instance counts on its own (as documented)', async (t) => {
    const first = await build(t)
    const second = await build(t, { shareDatabaseWith: first })
    const user = await createUser(first)
    const key = await createKey(first, user)
    const other = await createKey(first, user)
    await setFreeTier(first, { monthlyQuota: 100_000, rateLimitPerHour: LIMIT })

    const responses = []
    for (let i = 0; i < 2 * LIMIT; i++) responses.push(await metered(i % 2 === 0 ? first : second, key))
    t.same(statuses(responses), Array(2 * LIMIT).fill(400), `all ${2 * LIMIT} pass: each instance saw only ${LIMIT}`)
    t.same(responses.filter((_, i) => i % 2 === 0).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'the first instance counts its own requests')
    t.same(responses.filter((_, i) => i % 2 === 1).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'the second instance counts its own requests')
    for (const [i, response] of responses.entries()) {
      t.equal(response.headers['x-ratelimit-limit'], String(LIMIT), `request ${i + 1}: X-RateLimit-Limit ${LIMIT}`)
    }

    // Each instance is at its own limit now.
    for (const [name, ctx] of [['first', first], ['second', second]] as const) {
      const limited = await metered(ctx, key)
      t.equal(limited.statusCode, 429, `the ${name} instance refuses the next request`)
      t.equal(json(limited).code, 'RATE_LIMITED', `the ${name} instance: RATE_LIMITED`)
    }
    t.equal((await metered(first, other)).statusCode, 429, 'another key of the same account is limited too')

    await settle(first, second)
    t.equal(await usageRows(first, user), 2 * LIMIT, 'refusals are not counted')
    t.equal(await totalCounted(first, user), 2 * LIMIT, 'and the monthly counter agrees')
  })
}

t.test('with Redis unreachable, metered requests still answer, are counted and each instance limits on its own', async (t) => {
  // Nothing listens on port 1.
  const unreachable = 'redis://127.0.0.1:1'
  const first = await build(t, { env: { REDIS_URL: unreachable } })
  const second = await build(t, { shareDatabaseWith: first, env: { REDIS_URL: unreachable } })
  const user = await createUser(first)
  const key = await createKey(first, user)
  await setFreeTier(first, { monthlyQuota: 100_000, rateLimitPerHour: LIMIT })

  const started = Date.now()
  const responses = []
  for (let i = 0; i < 2 * LIMIT + 2; i++) responses.push(await metered(i % 2 === 0 ? first : second, key))
  const elapsed = Date.now() - started
  t.same(responses.filter((r) => r.statusCode >= 500).map((r) => `${r.statusCode} ${r.body}`), [], 'no 5xx')
  t.same(statuses(responses), [...Array(2 * LIMIT).fill(400), 429, 429], `${LIMIT} pass on each instance, then each refuses`)
  t.same(responses.filter((_, i) => i % 2 === 0).slice(0, LIMIT).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'the first instance counts its own requests')
  t.same(responses.filter((_, i) => i % 2 === 1).slice(0, LIMIT).map((r) => r.headers['x-ratelimit-remaining']), ['3', '2', '1', '0'], 'the second instance counts its own requests')
  for (const [i, response] of responses.slice(2 * LIMIT).entries()) t.equal(json(response).code, 'RATE_LIMITED', `refusal ${i + 1}: RATE_LIMITED`)
  t.ok(elapsed < 10_000, `promptly (${elapsed} ms for ${responses.length} requests)`)

  await settle(first, second)
  t.equal(await usageRows(first, user), 2 * LIMIT, 'every answered request is counted, refusals are not')
  t.equal(await totalCounted(first, user), 2 * LIMIT, 'and the monthly counter agrees')
})
