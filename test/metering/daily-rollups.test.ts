import { randomUUID } from 'node:crypto'
import { asc, eq } from 'drizzle-orm'
import t from 'tap'
import { usageDaily, type UsageRow } from '../../src/db/schema/index.js'
import { createQuotaLeases } from '../../src/services/metering/quota-leases.js'
import { createUsageRecorder } from '../../src/services/metering/usage-recorder.js'
import { build, createUser, type TestContext } from '../helper.js'

/** A recorder of its own, as another instance of the service would have. */
function instance(ctx: TestContext) {
  const leases = createQuotaLeases({ db: ctx.app.db, clock: ctx.clock, instanceId: randomUUID() })
  return createUsageRecorder({ db: ctx.app.db, clock: ctx.clock, leases, maxBuffered: 10_000 })
}

const ENDPOINTS = ['/api/weather/location', '/api/weather/stations', '/api/weather/summary']
const STATUSES = [200, 200, 200, 304, 400, 404, 429, 500, 502]

/** What usage_daily must hold for `rows`, computed here from the rows themselves. */
function expectedRollups(rows: UsageRow[], userId: number) {
  const groups = new Map<string, { day: string; endpoint: string; statusClass: number; requests: number; total: number; low: number; high: number }>()
  for (const row of rows.filter((r) => r.userId === userId)) {
    const day = row.timestamp.toISOString().slice(0, 10)
    const statusClass = Math.floor(row.statusCode / 100)
    const key = `${day} ${row.endpoint} ${statusClass}`
    const group = groups.get(key) ?? { day, endpoint: row.endpoint, statusClass, requests: 0, total: 0, low: Infinity, high: -Infinity }
    group.requests++
    group.total += row.responseTimeMs
    group.low = Math.min(group.low, row.responseTimeMs)
    group.high = Math.max(group.high, row.responseTimeMs)
    groups.set(key, group)
  }
  return [...groups.values()].sort((a, b) => a.day.localeCompare(b.day) || a.endpoint.localeCompare(b.endpoint) || a.statusClass - b.statusClass)
}

t.test('the flush keeps the daily rollups exact: every row once, across UTC days, two instances and a retried batch', async (t) => {
  const ctx = await build(t)
  const users = [await createUser(ctx), await createUser(ctx)]
  const first = instance(ctx)
  const second = instance(ctx)
  // 3,000 requests over three UTC days around a month's end, at 0.25 ms steps of response time.
  const start = Date.parse('2025-10-30T22:00:00Z')
  const rows: UsageRow[] = Array.from({ length: 3_000 }, (_, i) => ({
    requestId: randomUUID(),
    userId: users[i % 2]!.id,
    endpoint: ENDPOINTS[i % 3]!,
    responseTimeMs: ((i * 37) % 4000) / 4,
    statusCode: STATUSES[i % STATUSES.length]!,
    timestamp: new Date(start + i * 60_000),
  }))
  // The two instances write alternate halves at the same time; then one of them sends a third of
  // the rows again, as a retry after an unconfirmed commit would.
  for (const [i, row] of rows.entries()) (i % 2 === 0 ? first : second).record(row)
  await Promise.all([first.drain(), second.drain()])
  for (const row of rows.slice(0, 1_000)) second.record(row)
  await second.drain()

  for (const user of users) {
    const stored = await ctx.app.db
      .select()
      .from(usageDaily)
      .where(eq(usageDaily.userId, user.id))
      .orderBy(asc(usageDaily.day), asc(usageDaily.endpoint), asc(usageDaily.statusClass))
    const expected = expectedRollups(rows, user.id)
    t.equal(stored.length, expected.length, 'one rollup row per day, endpoint and status class')
    t.same(
      stored.map((r) => ({ day: r.day, endpoint: r.endpoint, statusClass: r.statusClass, requests: r.requests, total: r.totalResponseTimeMs, low: r.minResponseTimeMs, high: r.maxResponseTimeMs })),
      expected,
      'counts, sums, minimum and maximum equal the rows',
    )
  }
})

t.test('the reports built on the rollups agree with the requests the API metered', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const recorder = instance(ctx)
  const day = ctx.clock.now()
  const rows: UsageRow[] = [200, 200, 404, 500, 200].map((statusCode, i) => ({
    requestId: randomUUID(), userId: user.id, endpoint: ENDPOINTS[i % 2]!, responseTimeMs: 10 * (i + 1), statusCode, timestamp: day,
  }))
  for (const row of rows) recorder.record(row)
  await recorder.drain()
  const stats = await ctx.app.usageReports.stats(user.id, {})
  t.same(stats.stats, {
    totalRequests: 5, successfulRequests: 3, failedRequests: 2, avgResponseTime: 30, minResponseTime: 10, maxResponseTime: 50, successRate: 60,
  })
  const breakdown = await ctx.app.usageReports.breakdown(user.id)
  t.same(breakdown.endpoints, [
    { endpoint: ENDPOINTS[0], requestCount: 3, successfulCount: 2, avgResponseTime: 30 },
    { endpoint: ENDPOINTS[1], requestCount: 2, successfulCount: 1, avgResponseTime: 30 },
  ])
  const daily = await ctx.app.usageReports.daily(user.id)
  t.same(daily.days, [{ date: day.toISOString().slice(0, 10), requestCount: 5, successfulCount: 3, avgResponseTime: 30 }])
})
