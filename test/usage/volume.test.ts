import { sql, type SQLWrapper } from 'drizzle-orm'
import t from 'tap'
import { selectRows } from '../../src/db/rows.js'
import { createPartitions } from '../../src/services/usage/partitions.js'
import { monthPeriod, resolveDateSpan } from '../../src/services/usage/periods.js'
import { rebuildDailyRollups } from '../../src/services/usage/rollups.js'
import { usageQueries } from '../../src/services/usage/queries.js'
import { testDatabaseUrl } from '../setup/databases.js'
import type { TestContext } from '../helper.js'
import { get, NOW, setup } from './helpers.js'

const ROWS = 50_000

/** Rows of a raw query, whichever driver answered. */
const rows = <T>(ctx: TestContext, query: SQLWrapper) => selectRows<T>(ctx.app.db, sql`${query}`)

async function plan(ctx: TestContext, query: SQLWrapper): Promise<string> {
  const lines = await rows<{ 'QUERY PLAN': string }>(ctx, sql`explain ${query}`)
  return lines.map((l) => l['QUERY PLAN']).join('\n')
}

t.test(`reports over ${ROWS} rows read the index, not the table`, async (t) => {
  const { ctx, user, other } = await setup(t)
  const started = Date.now()
  // As a service running through 2025 would have made them.
  await createPartitions(ctx.app.db, Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`))
  // A request every 10 minutes through 2025 (about 4,300 a month), a tenth of them failing.
  await ctx.app.db.execute(sql`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, timestamp)
    select gen_random_uuid(), ${user.id}, '/api/weather/' || (array['location', 'stations', 'states'])[1 + g % 3],
           (g % 500)::float8, case when g % 10 = 0 then 500 else 200 end,
           timestamptz '2025-01-01 00:00:00+00' + g * interval '10 minutes'
    from generate_series(0, ${ROWS - 1}) g`)
  await ctx.app.db.execute(sql`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, timestamp)
    select gen_random_uuid(), ${other.id}, '/api/weather/location', 1, 200, timestamptz '2025-11-01 00:00:00+00' + g * interval '1 minute'
    from generate_series(0, 4999) g`)
  await rebuildDailyRollups(ctx.app.db)
  await ctx.app.db.execute(sql`analyze usage`)
  await ctx.app.db.execute(sql`analyze usage_daily`)
  t.comment(`inserted ${ROWS + 5000} rows in ${Date.now() - started} ms on ${testDatabaseUrl ? 'PostgreSQL' : 'PGlite'}`)

  const queries = usageQueries(ctx.app.db)
  const november = monthPeriod('2025-11')
  const year = resolveDateSpan({ startDate: '2025-01-01', endDate: '2026-01-01' }, NOW).period
  const aggregates: [string, SQLWrapper][] = [
    ['stats', queries.stats(user.id, resolveDateSpan({}, NOW).period)],
    ['stats over 366 days of the neighbour', queries.stats(other.id, year)],
    ['stats over 366 days of the heavy user', queries.stats(user.id, year)],
    ['breakdown', queries.breakdown(user.id, november)],
    ['daily', queries.daily(user.id, november)],
  ]
  for (const [name, statement] of aggregates) {
    const text = await plan(ctx, statement)
    t.comment(`${name}:\n${text}`)
    t.notMatch(text, /on usage(?!_daily)/, `${name} reads no raw usage row`)
    t.match(text, /on usage_daily/, `${name} reads the daily rollups`)
  }
  // Raw rows: one month's partition, in the order of the index on (user_id, timestamp).
  const raw: [string, SQLWrapper][] = [
    ['recent', queries.recent(user.id, 100)],
    ['export page', queries.exportPage(user.id, november, { timestamp: '2025-11-10T00:00:00.000000Z', id: 1 }, 1000)],
  ]
  for (const [name, statement] of raw) {
    const text = await plan(ctx, statement)
    t.comment(`${name}:\n${text}`)
    t.notMatch(text, /Seq Scan on usage/, `${name} does not scan a partition`)
    // Ties on the timestamp are put in id order as they come (an incremental sort); nothing else is sorted.
    t.notMatch(text, /(?:^|->)\s*Sort\s+\(/m, `${name} reads rows in index order, without sorting them all`)
    t.match(text, /usage_\d{4}_\d{2}_user_id_timestamp_idx/, `${name} uses the (user_id, timestamp) index`)
  }
  const size = await plan(ctx, queries.exportSize(user.id, november))
  t.comment(`export size:\n${size}`)
  t.notMatch(size, /on usage(?!_daily)/, 'the export size is summed from the rollups, not counted in raw rows')
  const monthly = await plan(ctx, queries.monthly(user.id, '2025-11'))
  t.comment(`monthly:\n${monthly}`)
  t.notMatch(monthly, /on usage\b/, 'monthly reads the counters, not the usage rows')

  const timed = async (url: string) => {
    const before = performance.now()
    const response = await get(ctx, user, url)
    t.equal(response.status, 200, url)
    t.comment(`${url}: ${Math.round(performance.now() - before)} ms`)
    return response.body
  }
  t.equal((await timed('/api/usage/stats')).stats.total_requests, 4320)
  t.equal((await timed('/api/usage/daily')).daily_usage.length, 30)
  t.equal((await timed('/api/usage/breakdown')).breakdown.length, 3)
  t.equal((await timed('/api/usage/recent?limit=100')).total, 100)
  t.equal((await timed('/api/usage/stats?start_date=2025-01-01&end_date=2025-12-31')).stats.total_requests, ROWS)
})

t.test('an export past 100,000 rows is cut there and says so', async (t) => {
  const { ctx, user } = await setup(t)
  const started = Date.now()
  // 100,001 requests in November, 25 seconds apart.
  await ctx.app.db.execute(sql`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, timestamp, user_agent)
    select gen_random_uuid(), ${user.id}, '/api/weather/location', 1, 200, timestamptz '2025-11-01 00:00:00+00' + g * interval '25 seconds', 'agent, "quoted"'
    from generate_series(0, 100000) g`)
  await rebuildDailyRollups(ctx.app.db, [user.id])
  // As autovacuum would have: without statistics the planner sorts the whole month for each page.
  await ctx.app.db.execute(sql`analyze usage`)
  const inserted = Date.now()
  const response = await ctx.app.inject({ method: 'GET', url: '/api/usage/export?month=2025-11', headers: { authorization: `Bearer ${user.accessToken}` } })
  t.comment(`inserted in ${inserted - started} ms, exported in ${Date.now() - inserted} ms`)
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-export-truncated'], 'true')
  t.equal(response.headers['x-export-max-rows'], '100000')
  const lines = response.body.split('\r\n')
  t.equal(lines.length, 100_002, 'the header, 100,000 rows and the final line break')
  t.equal(lines.at(-1), '')
  t.match(lines[1], /,2025-11-01T00:00:00\.000Z,/)
  t.match(lines.at(-2), /,2025-11-29T22:26:15\.000Z,/, 'the oldest 100,000 rows, in order')
})
