import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { migratePostgresDatabase } from '../../src/db/migrate.js'
import { migrationsUpTo } from '../../src/db/migration-history.js'
import { selectRows } from '../../src/db/rows.js'
import { createPartitions, shiftMonth } from '../../src/services/usage/partitions.js'
import { rebuildDailyRollups } from '../../src/services/usage/rollups.js'
import { utcMonth } from '../../src/services/metering/months.js'
import type { BenchDatabase } from './databases.js'
import { drive, type LoadResult } from './load.js'
import { withPeakRss, type ServiceProcess } from './process.js'
import { seed } from './seed.js'

/**
 * "Usage at scale": a usage log of USAGE_SCALE_ROWS rows (10 M by default) for 1,000 users, one of
 * them holding a tenth, generated inside PostgreSQL (INSERT … SELECT from generate_series, no row
 * crosses the wire), then the latency of each usage report for that heavy user, and the metered
 * route's throughput writing into that log. Also: the partitioning migration on 1 M rows.
 */

export const USAGE_SCALE = {
  rows: Number(process.env.USAGE_SCALE_ROWS ?? 10_000_000),
  users: 1_000,
  months: 12,
  requestsPerRoute: Number(process.env.USAGE_SCALE_REQUESTS ?? 200),
  migrationRows: Number(process.env.USAGE_SCALE_MIGRATION_ROWS ?? 1_000_000),
}

/**
 * The generated columns of a usage row, for `rows` rows numbered g spread evenly from `start` to
 * `end`; `userId` is an SQL expression (of g), `keyId` a key of that user or none.
 */
function generatedRows(userId: string, keyId: number | null, rows: number, start: string, end: string) {
  return `
    select gen_random_uuid(), ${userId}, case when g % 7 = 0 then null else ${keyId ?? 'null'}::integer end,
      '/api/weather/' || (array['location', 'location', 'location', 'stations', 'summary', 'states'])[1 + g % 6],
      'Melbourne', 'VIC', date '2025-10-01', date '2025-10-07', 20 + (g % 400) / 3.0,
      (array[200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 304, 404, 429])[1 + g % 20],
      null, '203.0.113.' || g % 250, 'bench/1.0',
      timestamptz '${start}' + (g::float8 / ${rows}) * (timestamptz '${end}' - timestamptz '${start}')
    from generate_series(0, ${rows - 1}) g`
}

const USAGE_COLUMNS = `(request_id, user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, error_message, ip_address, user_agent, "timestamp")`

export interface ScaleSeed {
  heavyUserId: number
  email: string
  password: string
  apiKey: string
  rows: number
  seconds: number
}

/** Seeds the bench user (the heavy one) and 999 others, then the usage log over the last twelve months. */
export async function seedUsageAtScale(database: BenchDatabase, log: (line: string) => void): Promise<ScaleSeed> {
  const handle = await database.open()
  const { db } = handle
  try {
    const seeded = await seed(db)
    await db.execute(sql`
      insert into users (email, password_hash, full_name, email_verified, tier)
      select 'scale-' || g || '@fetcha.test', 'not-a-hash', 'Scale', true, 'pro' from generate_series(1, ${USAGE_SCALE.users - 1}) g`)
    const [key] = await selectRows<{ id: number }>(db, sql`select id from api_keys where user_id = ${seeded.userId}`)
    const [others] = await selectRows<{ low: number; high: number }>(db, sql`select min(id)::int as low, max(id)::int as high from users where email like 'scale-%'`)
    const now = new Date()
    const current = utcMonth(now)
    const months = Array.from({ length: USAGE_SCALE.months }, (_, i) => shiftMonth(current, i - USAGE_SCALE.months + 1))
    await createPartitions(db, months)
    const heavyPerMonth = Math.floor(USAGE_SCALE.rows / 10 / USAGE_SCALE.months)
    const othersPerMonth = Math.floor((USAGE_SCALE.rows * 9) / 10 / USAGE_SCALE.months)
    const started = Date.now()
    for (const month of months) {
      const start = `${month}-01 00:00:00+00`
      const end = month === current ? now.toISOString() : `${shiftMonth(month, 1)}-01 00:00:00+00`
      const otherUser = `${others!.low} + g % ${others!.high - others!.low + 1}`
      await db.execute(sql.raw(`insert into usage ${USAGE_COLUMNS} ${generatedRows(String(seeded.userId), key!.id, heavyPerMonth, start, end)}`))
      await db.execute(sql.raw(`insert into usage ${USAGE_COLUMNS} ${generatedRows(otherUser, null, othersPerMonth, start, end)}`))
      log(`  usage ${month}: ${(heavyPerMonth + othersPerMonth).toLocaleString('en-US')} rows (${((Date.now() - started) / 1000).toFixed(0)} s so far)`)
    }
    await rebuildDailyRollups(db)
    await db.execute(sql`
      insert into monthly_usage (user_id, month, total_requests, successful_requests, failed_requests, total_response_time_ms)
      select user_id, to_char(day, 'YYYY-MM'), sum(requests), sum(requests) filter (where status_class = 2), coalesce(sum(requests) filter (where status_class <> 2), 0), sum(total_response_time_ms)
      from usage_daily group by 1, 2`)
    await db.execute(sql`vacuum analyze usage`)
    await db.execute(sql`vacuum analyze usage_daily`)
    const [total] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from usage`)
    return { heavyUserId: seeded.userId, email: seeded.email, password: seeded.password, apiKey: seeded.apiKey, rows: total!.n, seconds: (Date.now() - started) / 1000 }
  } finally {
    await handle.close()
  }
}

export interface LatencyRow {
  route: string
  p50Ms: number
  p95Ms: number
  p99Ms: number
  peakRssMiB: number
  /** Any answer other than the one expected makes the row invalid. */
  failures: number
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

/**
 * One request after another (a customer's dashboard, not a crowd), so each latency is the
 * report's own. `firstRows`: read only until that many CSV lines arrived, then stop reading.
 */
async function latencies(service: ServiceProcess, route: string, url: string, headers: Record<string, string>, firstRows?: number): Promise<LatencyRow> {
  const once = async () => {
    const started = performance.now()
    const response = await fetch(url, { headers })
    if (!response.ok) {
      await response.body?.cancel()
      return { ms: performance.now() - started, ok: false }
    }
    if (firstRows === undefined) {
      await response.arrayBuffer()
      return { ms: performance.now() - started, ok: true }
    }
    const reader = response.body!.getReader()
    let lines = 0
    while (lines <= firstRows) {
      const { value, done } = await reader.read()
      if (done) break
      for (const byte of value) if (byte === 10) lines++
    }
    const ms = performance.now() - started
    await reader.cancel()
    return { ms, ok: lines > firstRows }
  }
  for (let i = 0; i < 10; i++) await once()
  const { result, peakRssMiB } = await withPeakRss(service, async () => {
    const runs = []
    for (let i = 0; i < USAGE_SCALE.requestsPerRoute; i++) runs.push(await once())
    return runs
  })
  const sorted = result.map((r) => r.ms).sort((a, b) => a - b)
  return { route, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), peakRssMiB, failures: result.filter((r) => !r.ok).length }
}

/** The usage reports of the heavy user, each over its largest span. */
export async function measureUsageRoutes(service: ServiceProcess, base: string, bearer: Record<string, string>): Promise<LatencyRow[]> {
  const now = new Date()
  const lastMonth = shiftMonth(utcMonth(now), -1)
  const yearAgo = new Date(now.getTime() - 364 * 86_400_000).toISOString().slice(0, 10)
  const today = now.toISOString().slice(0, 10)
  const routes: [string, string, number?][] = [
    ['/api/usage/monthly', '/api/usage/monthly'],
    ['/api/usage/daily', `/api/usage/daily?month=${lastMonth}`],
    ['/api/usage/breakdown', `/api/usage/breakdown?month=${lastMonth}`],
    ['/api/usage/stats (a year)', `/api/usage/stats?start_date=${yearAgo}&end_date=${today}`],
    ['/api/usage/recent', '/api/usage/recent?limit=100'],
    ['/api/usage/export (first 1,000 rows)', `/api/usage/export?month=${lastMonth}`, 1_000],
  ]
  const rows: LatencyRow[] = []
  for (const [route, path, firstRows] of routes) rows.push(await latencies(service, route, `${base}${path}`, bearer, firstRows))
  return rows
}

/** The metered route writing into the full log. */
export async function meteredIntoLog(url: string, headers: Record<string, string>, connections: number, durationSeconds: number): Promise<LoadResult> {
  await drive({ url, headers, connections, durationSeconds: 3 })
  return drive({ url, headers, connections, durationSeconds })
}

export interface MigrationFigure {
  rows: number
  seconds: number
  before: { n: number; checksum: string }
  after: { n: number; checksum: string }
}

const CHECKSUM = `select count(*)::int as n, md5(string_agg(u::text, E'\\n' order by id)) as checksum from usage u`

/** Migration 0009 on a database of the release before it, holding `rows` usage rows over two years. */
export async function benchPartitioningMigration(adminUrl: string, rows: number): Promise<MigrationFigure> {
  const name = `fetcha_bench_migration_${process.pid}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name}`)
  await admin.unsafe(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const earlier = migrationsUpTo('0008_key_successor')
  try {
    await migratePostgresDatabase(url.toString(), 10, earlier.folder)
    const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
    try {
      await client.unsafe(`insert into users (email, password_hash, full_name) select 'm' || g || '@fetcha.test', 'x', 'M' from generate_series(1, 100) g`)
      await client.unsafe(`insert into usage ${USAGE_COLUMNS} ${generatedRows('1 + g % 100', null, rows, '2024-12-01 00:00:00+00', new Date().toISOString())}`)
      await client.unsafe('vacuum analyze usage')
      const [before] = await client.unsafe<{ n: number; checksum: string }[]>(CHECKSUM)
      const started = Date.now()
      await migratePostgresDatabase(url.toString())
      const seconds = (Date.now() - started) / 1000
      const [after] = await client.unsafe<{ n: number; checksum: string }[]>(CHECKSUM)
      return { rows, seconds, before: before!, after: after! }
    } finally {
      await client.end()
    }
  } finally {
    earlier.remove()
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

