import { randomInt } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, createUser, json, type TestContext } from '../helper.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { createKey, metered, setFreeTier } from '../metering/helpers.js'
import { limiterEntries } from '../helpers/rate-limit-redis.js'
import { waitUntil } from '../helpers/eventually.js'

const LIMIT = 4
/** Every answer must come well inside this, outage or not: the limiter must not wait on Redis. */
const FAST_MS = 1_000
/** How long ioredis may take to reconnect once Redis is back (its retry delay tops out at 2 s). */
const RECONNECT_BOUND_MS = 10_000
// Nothing listens on port 1: connections are refused at once, on any machine.
const UNREACHABLE = 'redis://127.0.0.1:1'
const redisUrl = process.env.TEST_REDIS_URL || undefined

const FELL_BACK = /Redis unavailable/
const RECOVERED = /Redis reachable again/

interface Timed {
  response: LightMyRequestResponse
  ms: number
}

async function timed(send: () => Promise<LightMyRequestResponse>): Promise<Timed> {
  const started = Date.now()
  const response = await send()
  return { response, ms: Date.now() - started }
}

/**
 * `count` requests of which exactly the first `passing` get through: no 5xx, each answered fast,
 * X-RateLimit-Remaining counting down from `remainingFrom`, and the rest refused as RATE_LIMITED.
 */
async function expectLimited(
  t: Test,
  label: string,
  send: () => Promise<LightMyRequestResponse>,
  { count, passing, passed, remainingFrom = LIMIT - 1 }: { count: number; passing: number; passed: number; remainingFrom?: number },
) {
  const results: Timed[] = []
  for (let i = 0; i < count; i++) results.push(await timed(send))
  const statuses = results.map((r) => r.response.statusCode)
  t.same(statuses.filter((s) => s >= 500), [], `${label}: no 5xx (${statuses.join(', ')})`)
  t.same(statuses, [...Array(passing).fill(passed), ...Array(count - passing).fill(429)], `${label}: ${passing} pass, then 429`)
  t.same(
    results.slice(0, passing).map((r) => r.response.headers['x-ratelimit-remaining']),
    Array.from({ length: passing }, (_, i) => String(remainingFrom - i)),
    `${label}: remaining counts down from ${remainingFrom}`,
  )
  for (const [i, { response }] of results.slice(passing).entries()) {
    t.equal(json(response).code, 'RATE_LIMITED', `${label}: refusal ${i + 1} is RATE_LIMITED`)
    t.ok(Number(response.headers['retry-after']) > 0, `${label}: refusal ${i + 1} has Retry-After`)
  }
  const slowest = Math.max(...results.map((r) => r.ms))
  t.ok(slowest < FAST_MS, `${label}: every answer within ${FAST_MS} ms (${results.map((r) => r.ms).join(', ')} ms)`)
}

function logCount(ctx: TestContext, pattern: RegExp): number {
  return ctx.logs.filter((line) => typeof line.msg === 'string' && pattern.test(line.msg)).length
}

async function waitFor(condition: () => boolean, boundMs: number, what: string): Promise<number> {
  const ms = await waitUntil(condition, boundMs)
  if (ms === undefined) throw new Error(`${what}: not within ${boundMs} ms`)
  return ms
}

t.test('Redis unreachable from the start: each instance enforces the per-account hourly limit itself', async (t) => {
  const first = await build(t, { env: { REDIS_URL: UNREACHABLE } })
  const second = await build(t, { shareDatabaseWith: first, env: { REDIS_URL: UNREACHABLE } })
  const user = await createUser(first)
  const key = await createKey(first, user)
  await setFreeTier(first, { monthlyQuota: 100_000, rateLimitPerHour: LIMIT })
  t.equal(first.app.rateLimitBackend(), 'local', 'the first instance counts locally')
  t.equal(second.app.rateLimitBackend(), 'local', 'the second instance counts locally')

  await expectLimited(t, 'first instance', () => metered(first, key), { count: LIMIT + 2, passing: LIMIT, passed: 400 })
  await expectLimited(t, 'second instance', () => metered(second, key), { count: LIMIT + 1, passing: LIMIT, passed: 400 })

  for (const [name, ctx] of [['first', first], ['second', second]] as const) {
    t.equal(logCount(ctx, FELL_BACK), 1, `the ${name} instance warns once about the fallback`)
    t.equal(logCount(ctx, RECOVERED), 0, `the ${name} instance never claims Redis is back`)
  }
})

t.test('Redis unreachable from the start: auth routes are still limited per IP', async (t) => {
  const ctx = await build(t, { env: { REDIS_URL: UNREACHABLE, AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT) } })
  const password = 'not-the-password-1'
  ctx.secrets.add(password)
  // A new unknown email each time: five failures of one email lock it, whichever address sends them.
  let attempt = 0
  const login = (from: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: from, payload: { email: `nobody-${++attempt}@example.com`, password } })

  // The first login of a process pays for warming up password hashing (over a second here),
  // which has nothing to do with Redis; another address takes it so the timings below are the limiter's.
  t.equal((await login('10.0.0.99')).statusCode, 401, 'a warm-up login is answered')
  await expectLimited(t, 'login from 10.0.0.1', () => login('10.0.0.1'), { count: LIMIT + 2, passing: LIMIT, passed: 401 })
  await expectLimited(t, 'login from 10.0.0.2', () => login('10.0.0.2'), { count: LIMIT + 1, passing: LIMIT, passed: 401 })
})

if (redisUrl) {
  const target = new URL(redisUrl)
  const redisTarget = { host: target.hostname, port: Number(target.port || 6379) }

  /**
   * Hourly limits are per account, keyed `user:<user id>`. Ids come from the test's own
   * database, but Redis outlives it and is shared by every run: user ids start at a random point,
   * so that no other run's accounts collide with this one's.
   */
  async function randomUserIds(ctx: TestContext): Promise<void> {
    await ctx.app.db.execute(sql.raw(`alter table users alter column id restart with ${randomInt(1_000_000, 2_000_000_000)}`))
  }


  async function sharedCount(redis: Redis, id: number): Promise<number> {
    const entries = await limiterEntries(redis, id)
    if (entries.length > 1) throw new Error(`several limiter entries for account ${id}`)
    return entries[0] ? Number(await redis.get(entries[0])) : 0
  }

  /** Two instances reaching Redis through a proxy, an account limited to LIMIT an hour, and a direct Redis client. */
  async function setup(t: Test) {
    const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    const proxy = await startTcpProxy(redisTarget)
    const ids: number[] = []
    t.teardown(async () => {
      // The proxy goes first, dropping what it still holds back, so that nothing lands after the cleanup.
      await proxy.close()
      for (const id of ids) {
        const keys = await limiterEntries(redis, id)
        if (keys.length > 0) await redis.del(...keys)
      }
      await redis.quit()
    })
    const viaProxy = `redis://127.0.0.1:${proxy.port}`
    const first = await build(t, { env: { REDIS_URL: viaProxy } })
    const second = await build(t, { shareDatabaseWith: first, env: { REDIS_URL: viaProxy } })
    await randomUserIds(first)
    const user = await createUser(first)
    const key = await createKey(first, user)
    const id = user.id
    ids.push(id)
    await setFreeTier(first, { monthlyQuota: 100_000, rateLimitPerHour: LIMIT })
    await waitFor(() => first.app.rateLimitBackend() === 'redis' && second.app.rateLimitBackend() === 'redis', RECONNECT_BOUND_MS, 'both instances on Redis')
    return { redis, proxy, first, second, key, id }
  }

  t.test('Redis dropping mid-run and coming back: shared, then local, then shared again', async (t) => {
    const { redis, proxy, first, second, key, id } = await setup(t)

    // Up: one count for both instances.
    t.equal((await metered(first, key)).headers['x-ratelimit-remaining'], String(LIMIT - 1), 'up: the first instance counts in Redis')
    t.equal((await metered(second, key)).headers['x-ratelimit-remaining'], String(LIMIT - 2), 'up: the second instance sees that count')
    t.equal(await sharedCount(redis, id), 2, 'up: Redis holds both requests')

    // Down: every connection cut, reconnects refused. Requests are sent at once, without waiting
    // for the clients to notice.
    proxy.down()
    await expectLimited(t, 'down, first instance', () => metered(first, key), { count: LIMIT + 2, passing: LIMIT, passed: 400 })
    await expectLimited(t, 'down, second instance', () => metered(second, key), { count: LIMIT + 1, passing: LIMIT, passed: 400 })
    t.equal(first.app.rateLimitBackend(), 'local', 'down: the first instance counts locally')
    t.equal(second.app.rateLimitBackend(), 'local', 'down: the second instance counts locally')
    t.equal(await sharedCount(redis, id), 2, 'down: nothing reached Redis')

    // Back up: once the clients have reconnected, the shared count resumes where it was.
    proxy.up()
    const ms = await waitFor(() => first.app.rateLimitBackend() === 'redis' && second.app.rateLimitBackend() === 'redis', RECONNECT_BOUND_MS, 'both instances back on Redis')
    t.pass(`both instances reconnected ${ms} ms after Redis came back`)
    const again = [await metered(first, key), await metered(second, key), await metered(first, key), await metered(second, key)]
    t.same(again.map((r) => r.statusCode), [400, 400, 429, 429], 'up again: the shared limit has 2 left for both instances together')
    t.same(again.slice(0, 2).map((r) => r.headers['x-ratelimit-remaining']), ['1', '0'], 'up again: counted on from the shared count')
    t.equal(await sharedCount(redis, id), 6, 'up again: Redis holds every request made while it was up')

    for (const [name, ctx] of [['first', first], ['second', second]] as const) {
      t.equal(logCount(ctx, FELL_BACK), 1, `the ${name} instance warns once about the fallback`)
      t.equal(logCount(ctx, RECOVERED), 1, `the ${name} instance says once that Redis is back`)
    }
  })

  t.test('a stalled Redis: requests give up on it quickly and are limited locally', async (t) => {
    const { proxy, first, key } = await setup(t)
    t.equal((await metered(first, key)).headers['x-ratelimit-remaining'], String(LIMIT - 1), 'before: counted in Redis')

    // Connected but answering late: the connection stays "ready", only the commands time out.
    proxy.setDelay(3_000)
    t.teardown(() => proxy.setDelay(0))
    await expectLimited(t, 'stalled', () => metered(first, key), { count: LIMIT + 1, passing: LIMIT, passed: 400 })
    t.equal(logCount(first, FELL_BACK), 1, 'warns once about the fallback')
  })
}
