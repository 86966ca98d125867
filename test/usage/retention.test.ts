import { sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { selectRows } from '../../src/db/rows.js'
import { createPartitions, partitionMonths, shiftMonth } from '../../src/services/usage/partitions.js'
import { build, createUser, TestClock, type TestContext } from '../helper.js'
import { get, insertUsage, moveClock, setCounters } from './helpers.js'

const START = new Date('2026-03-15T12:00:00Z')

/** 2024-12 through 2026-03: sixteen months, ten rows in each. */
const MONTHS = Array.from({ length: 16 }, (_, i) => shiftMonth('2024-12', i))

async function rawRows(ctx: TestContext, month: string) {
  const [row] = await selectRows<{ n: number }>(ctx.app.db, sql`
    select count(*)::int as n from usage where to_char("timestamp" at time zone 'UTC', 'YYYY-MM') = ${month}`)
  return row!.n
}

async function history(t: Test, env: Record<string, string> = {}) {
  const ctx = await build(t, { clock: new TestClock(START), env })
  const user = await createUser(ctx)
  await createPartitions(ctx.app.db, MONTHS)
  for (const month of MONTHS) {
    await insertUsage(ctx, user, Array.from({ length: 10 }, (_, i) => ({ timestamp: `${month}-0${1 + (i % 9)}T0${i % 10}:00:00Z`, statusCode: i === 0 ? 500 : 200 })))
    await setCounters(ctx, user, month, { total: 10, successful: 9, failed: 1, responseTimeMs: 1000 })
  }
  return { ctx, user }
}

t.test('raw months past USAGE_RETENTION_MONTHS are dropped; their rollups and counters stay; their export is 410', async (t) => {
  const { ctx, user } = await history(t)
  const result = await ctx.app.maintainUsage()
  t.same(result.months, [{ month: '2024-12', rows: 10 }, { month: '2025-01', rows: 10 }, { month: '2025-02', rows: 10 }])
  t.equal(result.oldestKept, '2025-03', 'thirteen months are kept, this one included')

  const partitions = await partitionMonths(ctx.app.db)
  t.notOk(partitions.some((m) => m < '2025-03'), 'no partition before 2025-03 is left')
  t.ok(partitions.includes('2025-03') && partitions.includes('2026-06'), 'kept months and three ahead have partitions')
  for (const month of ['2024-12', '2025-02']) t.equal(await rawRows(ctx, month), 0, `${month} holds no raw row`)
  t.equal(await rawRows(ctx, '2025-03'), 10)

  const daily = await get(ctx, user, '/api/usage/daily?month=2025-01')
  t.equal(daily.status, 200)
  t.equal(daily.body.daily_usage.reduce((n: number, d: { request_count: number }) => n + d.request_count, 0), 10, 'the daily report still counts a pruned month')
  const stats = await get(ctx, user, '/api/usage/stats?start_date=2024-12-01&end_date=2025-02-28')
  t.equal(stats.body.stats.total_requests, 30)
  t.equal(stats.body.stats.failed_requests, 3)
  const breakdown = await get(ctx, user, '/api/usage/breakdown?month=2025-02')
  t.equal(breakdown.body.breakdown[0].request_count, 10)
  const monthly = await get(ctx, user, '/api/usage/monthly?month=2025-01')
  t.equal(monthly.body.usage.total_requests, 10, 'monthly counters are kept for ever')

  const gone = await get(ctx, user, '/api/usage/export?month=2025-01')
  t.equal(gone.status, 410)
  t.equal(gone.body.code, 'USAGE_PRUNED')
  t.same(gone.body.pruned_months, ['2025-01'])
  t.equal(gone.body.oldest_kept_month, '2025-03')
  t.match(gone.body.error, /kept for 13 months/)
  const kept = await ctx.app.inject({ method: 'GET', url: '/api/usage/export?month=2025-03', headers: { authorization: `Bearer ${user.accessToken}` } })
  t.equal(kept.statusCode, 200)
  t.equal(kept.body.trim().split('\r\n').length, 11, 'a kept month exports its ten rows')

  const again = await ctx.app.maintainUsage()
  t.same(again.months, [], 'a second run prunes nothing')

  await moveClock(ctx, user, '2026-04-01T00:00:00Z')
  const nextMonth = await ctx.app.maintainUsage()
  t.same(nextMonth.months, [{ month: '2025-03', rows: 10 }], 'when the month turns, one more month goes')
  t.ok(nextMonth.created.includes('2026-07'), 'and one more partition is made ahead')
  t.equal((await get(ctx, user, '/api/usage/export?month=2025-03')).status, 410)
})

t.test('USAGE_RETENTION_MONTHS sets how many months are kept', async (t) => {
  const { ctx, user } = await history(t, { USAGE_RETENTION_MONTHS: '2' })
  const result = await ctx.app.maintainUsage()
  t.equal(result.oldestKept, '2026-02')
  t.equal(result.months.length, 14)
  t.equal((await get(ctx, user, '/api/usage/export?month=2026-01')).status, 410)
  const kept = await ctx.app.inject({ method: 'GET', url: '/api/usage/export?month=2026-02', headers: { authorization: `Bearer ${user.accessToken}` } })
  t.equal(kept.statusCode, 200)
})

t.test('rows the default partition caught: readiness names them, upkeep moves them into a partition or prunes them', async (t) => {
  const ctx = await build(t, { clock: new TestClock(START) })
  const user = await createUser(ctx)
  t.notOk((await ctx.app.inject('/health/ready')).json().details, 'no details while the default partition is empty')
  // A month beyond those made ahead, and one long past: neither has a partition.
  await insertUsage(ctx, user, [{ timestamp: '2026-11-02T00:00:00Z' }, { timestamp: '2026-11-03T00:00:00Z' }, { timestamp: '2020-05-01T00:00:00Z' }])
  const ready = await ctx.app.inject('/health/ready')
  t.equal(ready.statusCode, 200, 'the service still serves')
  t.equal(ready.json().details.usage_default_partition.rows, 3)
  t.match(ready.json().details.usage_default_partition.message, /3 usage rows fell into usage_default/)

  const result = await ctx.app.maintainUsage()
  t.ok(result.created.includes('2026-11'), 'the kept month gets its partition')
  t.same(result.months, [{ month: '2020-05', rows: 1 }], 'the old row is pruned and recorded')
  t.equal(await rawRows(ctx, '2026-11'), 2, 'the two rows moved into it')
  const [where] = await selectRows<{ partition: string }>(ctx.app.db, sql`select distinct tableoid::regclass::text as partition from usage where "timestamp" >= '2026-11-01'`)
  t.equal(where?.partition, 'usage_2026_11')
  t.notOk((await ctx.app.inject('/health/ready')).json().details, 'readiness is clean again')
})

t.test('the service makes the coming months\' partitions when it starts', async (t) => {
  const ctx = await build(t, { clock: new TestClock(new Date('2031-06-10T00:00:00Z')) })
  const partitions = await partitionMonths(ctx.app.db)
  for (const month of ['2031-06', '2031-07', '2031-08', '2031-09']) t.ok(partitions.includes(month), month)
})
