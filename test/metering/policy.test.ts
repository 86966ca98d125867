import { eq } from 'drizzle-orm'
import t from 'tap'
import { usage } from '../../src/db/schema/index.js'
import { build, createUser, json, TestClock } from '../helper.js'
import { counters, createKey, metered, setFreeTier, setUserTier, settle, totalCounted, usageRows } from './helpers.js'

t.test('every metered answer carries the quota headers; a refusal says when the quota resets', async (t) => {
  const clock = new TestClock(new Date('2025-11-30T12:00:00Z'))
  const ctx = await build(t, { clock })
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 2, rateLimitPerHour: 1_000 })
  const first = await metered(ctx, key)
  t.equal(first.headers['x-quota-limit'], '2')
  t.equal(first.headers['x-quota-remaining'], '1')
  t.equal(first.headers['x-quota-reset'], '2025-12-01T00:00:00.000Z')
  t.equal((await metered(ctx, key)).headers['x-quota-remaining'], '0')
  const refused = await metered(ctx, key)
  t.equal(refused.statusCode, 429)
  t.equal(json(refused).code, 'QUOTA_EXCEEDED')
  t.equal(refused.headers['retry-after'], String(12 * 3600), 'seconds until 00:00 UTC on the 1st')
  t.equal(json(refused).quota.quota_limit, 2)
  t.equal(json(refused).quota.requests_remaining, 0)
  t.equal(refused.headers['x-quota-remaining'], '0')
})

t.test('months are UTC: the last instant of a month counts in it, and the quota resets on the 1st', async (t) => {
  const clock = new TestClock(new Date('2025-11-30T23:59:59.900Z'))
  const ctx = await build(t, { clock })
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 3, rateLimitPerHour: 1_000 })
  for (let i = 0; i < 3; i++) t.equal((await metered(ctx, key)).statusCode, 400)
  t.equal((await metered(ctx, key)).statusCode, 429, 'November is spent')
  clock.set(new Date('2025-12-01T00:00:00.000Z'))
  t.equal((await metered(ctx, key)).statusCode, 400, 'December starts afresh')
  await settle(ctx)
  const months = (await counters(ctx, user)).map((row) => [row.month, row.totalRequests])
  t.same(months, [['2025-11', 3], ['2025-12', 1]])
  t.equal(await usageRows(ctx, user), 4)
})

t.test('5xx answers are not charged', async (t) => {
  // Nothing listens on port 1: the first read of a state's catalogue fails upstream (502).
  const ctx = await build(t, { env: { BOM_BASE_URL: 'http://127.0.0.1:1', BOM_TIMEOUT_MS: '200' } })
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 1, rateLimitPerHour: 1_000 })
  const url = '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01'
  for (let i = 0; i < 3; i++) {
    const response = await metered(ctx, key, url)
    t.equal(response.statusCode, 502)
    t.equal(json(response).code, 'UPSTREAM_UNAVAILABLE')
  }
  await settle(ctx)
  t.equal(await usageRows(ctx, user), 0, 'no usage row')
  t.equal(await totalCounted(ctx, user), 0, 'no counter increase')
  t.equal((await metered(ctx, key)).statusCode, 400, 'the quota of 1 is still there')
})

t.test('success and failure are counted apart, and counters equal the rows', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setUserTier(ctx, user, 'enterprise')
  const statesUrl = '/api/weather/stations?state=Atlantis'
  await metered(ctx, key)
  await metered(ctx, key)
  const unlimited = await metered(ctx, key)
  t.equal(unlimited.headers['x-quota-limit'], 'unlimited')
  t.equal((await metered(ctx, key, statesUrl)).statusCode, 400, 'the station list is not a metered route')
  await settle(ctx)
  const [row] = await counters(ctx, user)
  t.equal(row?.totalRequests, 3)
  t.equal(row?.failedRequests, 3)
  t.equal(row?.successfulRequests, 0)
  t.equal(await usageRows(ctx, user), 3)
})

t.test("the tier's hourly rate limit per account: refused requests are not counted", async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  const other = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 100, rateLimitPerHour: 3 })
  for (let i = 0; i < 3; i++) t.equal((await metered(ctx, key)).statusCode, 400)
  const limited = await metered(ctx, key)
  t.equal(limited.statusCode, 429)
  t.equal(json(limited).code, 'RATE_LIMITED')
  t.equal(limited.headers['x-ratelimit-limit'], '3')
  t.equal((await metered(ctx, other)).statusCode, 429, "the limit is the account's: its other key is refused too")
  await settle(ctx)
  t.equal(await totalCounted(ctx, user), 3)
})

t.test('a tier change applies to the next request', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 1, rateLimitPerHour: 1_000 })
  t.equal((await metered(ctx, key)).statusCode, 400)
  t.equal((await metered(ctx, key)).statusCode, 429)
  await setUserTier(ctx, user, 'pro')
  const upgraded = await metered(ctx, key)
  t.equal(upgraded.statusCode, 400)
  t.equal(upgraded.headers['x-quota-limit'], '5000')
})

t.test('a graceful stop under load loses no usage', async (t) => {
  const first = await build(t)
  const reader = await build(t, { shareDatabaseWith: first })
  const user = await createUser(first)
  const key = await createKey(first, user)
  await setFreeTier(first, { monthlyQuota: 10_000, rateLimitPerHour: 100_000 })
  const pending = Array.from({ length: 300 }, () => metered(first, key))
  const closing = first.app.close()
  const responses = await Promise.all(pending)
  await closing
  const answered = responses.filter((r) => r.statusCode < 500).length
  t.ok(answered > 0, `${answered} answered before the stop`)
  t.equal(await usageRows(reader, user), answered, `every answered request has its usage row (${JSON.stringify(responses.reduce<Record<number, number>>((a, r) => ({ ...a, [r.statusCode]: (a[r.statusCode] ?? 0) + 1 }), {}))})`)
  t.equal(await totalCounted(reader, user), answered)
})

t.test('text PostgreSQL cannot store (NUL) is dropped from the usage record, so flushes keep working', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  const odd = await metered(ctx, key, '/api/weather/location?location=Mel%00bourne&state=V%00IC&date_from=not-a-date')
  t.equal(odd.statusCode, 400)
  t.equal((await metered(ctx, key)).statusCode, 400)
  await settle(ctx)
  t.equal(await usageRows(ctx, user), 2, 'both requests are recorded')
  const recorded = await ctx.app.db.select({ location: usage.location, state: usage.state }).from(usage).where(eq(usage.userId, user.id))
  t.ok(recorded.some((r) => r.location === 'Melbourne' && r.state === 'VIC'), 'the NUL is gone, the rest kept')
  t.equal(ctx.app.metering.recorder.buffered(), 0, 'nothing left waiting')
})

t.test('a recorded location cut inside a UTF-16 pair is stored with U+FFFD, so flushes keep working', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  // Locations are recorded up to 100 UTF-16 units: the cut falls between the halves of the emoji.
  const location = `${'a'.repeat(99)}🌧 Melbourne`
  const response = await ctx.app.inject({ method: 'GET', url: '/api/weather/location', query: { location, state: 'VIC', date_from: 'x' }, headers: { 'x-api-key': key } })
  t.equal(response.statusCode, 400)
  await settle(ctx)
  const recorded = await ctx.app.db.select({ location: usage.location }).from(usage).where(eq(usage.userId, user.id))
  t.same(recorded.map((r) => r.location), [`${'a'.repeat(99)}\ufffd`], 'recorded, with the lone half replaced')
  t.equal(ctx.app.metering.recorder.buffered(), 0, 'nothing left waiting')
})
