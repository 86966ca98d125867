import { sql, type SQL } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { apiKeys, monthlyUsage, usage, users } from '../../db/schema/index.js'
import type { Db } from './findings.js'
import { insertSelect, utc } from './insert-select.js'
import { LEGACY_SCHEMA } from './legacy-tables.js'
import type { Resolutions } from './options.js'
import type { Progress } from './progress.js'
import { textArray, type UsagePlan } from './review-usage.js'

/** Usage rows per statement: large enough to be quick, small enough to show progress often. */
export const USAGE_BATCH = 50_000

const legacyUsage = sql.raw(`"${LEGACY_SCHEMA}".usage`)
const legacyMonthly = sql.raw(`"${LEGACY_SCHEMA}".monthly_usage`)

/** A date text of the old service as a date: no date where the plan says it is none. */
function asDate(column: string, notDates: SQL): SQL {
  return sql`case when ${sql.raw(column)} = any(${notDates}) then null else ${sql.raw(column)}::date end`
}

/**
 * Every usage row keeps its id, owner, key, request and time, in id ranges of USAGE_BATCH inside
 * the one transaction. Rows of accounts left behind (`--drop-orphans`) are the only ones skipped;
 * keys that are not there (`--detach-orphan-usage`) become none.
 */
export async function copyUsage(db: Db, plan: UsagePlan, resolutions: Resolutions, progress: Progress): Promise<number> {
  const [range] = await selectRows<{ low: number | null; high: number | null; total: number }>(db, sql`
    select min(id) as low, max(id) as high, count(*)::int as total from ${legacyUsage}`)
  const total = range?.total ?? 0
  if (!range || range.low === null || range.high === null) {
    progress.rows('usage', 0, 0)
    return 0
  }
  const notDates = textArray(plan.notDates)
  const accountHere = resolutions.dropOrphans ? sql`and exists (select 1 from ${users} x where x.id = u.user_id)` : sql``
  const keyHere = sql`exists (select 1 from ${apiKeys} k where k.id = u.api_key_id)`
  let done = 0
  progress.rows('usage', done, total)
  for (let low = range.low; low <= range.high; low += USAGE_BATCH) {
    await db.execute(insertSelect(usage, {
      id: sql`u.id`,
      requestId: sql`gen_random_uuid()`,
      userId: sql`u.user_id`,
      apiKeyId: resolutions.detachOrphanUsage ? sql`case when ${keyHere} then u.api_key_id end` : sql`u.api_key_id`,
      endpoint: sql`u.endpoint`,
      location: sql`u.location`,
      state: sql`u.state`,
      dateFrom: asDate('u.date_from', notDates),
      dateTo: asDate('u.date_to', notDates),
      responseTimeMs: sql`coalesce(u.response_time_ms, 0)`,
      statusCode: sql`u.status_code`,
      errorMessage: sql`u.error_message`,
      ipAddress: sql`u.ip_address`,
      userAgent: sql`u.user_agent`,
      timestamp: utc('u."timestamp"'),
    }, sql`from ${legacyUsage} u where u.id >= ${low} and u.id < ${low + USAGE_BATCH} ${accountHere}`))
    const [seen] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from ${legacyUsage} where id >= ${low} and id < ${low + USAGE_BATCH}`)
    done += seen?.n ?? 0
    progress.rows('usage', done, total)
  }
  return total
}

/** Monthly rows come across with the counters customers were billed on. */
export async function copyMonthly(db: Db, resolutions: Resolutions, now: Date): Promise<void> {
  const accountHere = resolutions.dropOrphans ? sql`where exists (select 1 from ${users} x where x.id = m.user_id)` : sql``
  await db.execute(insertSelect(monthlyUsage, {
    userId: sql`m.user_id`,
    month: sql`m.month`,
    totalRequests: sql`coalesce(m.total_requests, 0)`,
    successfulRequests: sql`coalesce(m.successful_requests, 0)`,
    failedRequests: sql`coalesce(m.failed_requests, 0)`,
    totalResponseTimeMs: sql`coalesce(m.total_response_time_ms, 0)`,
    lastUpdated: sql`coalesce(${utc('m.last_updated')}, ${now.toISOString()}::timestamptz)`,
  }, sql`from ${legacyMonthly} m ${accountHere}`))
}
