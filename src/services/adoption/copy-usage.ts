import { sql, type SQL } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { apiKeys, monthlyUsage, usage, users } from '../../db/schema/index.js'
import type { Db } from './findings.js'
import { insertSelect, utc } from './insert-select.js'
import { LEGACY_SCHEMA } from './legacy-tables.js'
import type { Resolutions } from './options.js'
import type { Progress } from './progress.js'
import { createPartitions } from '../usage/partitions.js'
import { textArray, type UsagePlan } from './review-usage.js'

/** Usage rows per statement: large enough to be quick, small enough to show progress often. */
export const USAGE_BATCH = 50_000
/** The old ids are PostgreSQL integers. */
const INTEGER_MIN = -2_147_483_648
const INTEGER_MAX = 2_147_483_647

const legacyUsage = sql.raw(`"${LEGACY_SCHEMA}".usage`)
const legacyMonthly = sql.raw(`"${LEGACY_SCHEMA}".monthly_usage`)

/** A date text of the old service as a date: no date where the plan says it is none. */
function asDate(column: string, notDates: SQL): SQL {
  return sql`case when ${sql.raw(column)} = any(${notDates}) then null else ${sql.raw(column)}::date end`
}

/**
 * Every usage row keeps its id, owner, key, request and time, USAGE_BATCH rows a statement inside
 * the one transaction. Rows of accounts left behind (`--drop-orphans`) are the only ones skipped;
 * keys that are not there (`--detach-orphan-usage`) become none.
 */
export async function copyUsage(db: Db, plan: UsagePlan, resolutions: Resolutions, progress: Progress, batchRows = USAGE_BATCH): Promise<number> {
  const [counted] = await selectRows<{ total: number }>(db, sql`select count(*)::int as total from ${legacyUsage}`)
  const total = counted?.total ?? 0
  const notDates = textArray(plan.notDates)
  const accountHere = resolutions.dropOrphans ? sql`and exists (select 1 from ${users} x where x.id = u.user_id)` : sql``
  const keyHere = sql`exists (select 1 from ${apiKeys} k where k.id = u.api_key_id)`
  // Each old month gets its partition first; otherwise its rows would all land in usage_default.
  const months = await selectRows<{ month: string }>(db, sql`
    select distinct to_char(${utc('u."timestamp"')} at time zone 'UTC', 'YYYY-MM') as month from ${legacyUsage} u where u."timestamp" is not null`)
  await createPartitions(db, months.map((m) => m.month))
  let done = 0
  progress.rows('usage', done, total)
  // Batches of batchRows rows in id order, however sparse the ids are.
  for (let low = INTEGER_MIN; ;) {
    const [batch] = await selectRows<{ high: number | null; n: number }>(db, sql`
      select max(id) as high, count(*)::int as n from (select id from ${legacyUsage} where id >= ${low} order by id limit ${batchRows}) b`)
    if (!batch || batch.high === null || batch.n === 0) break
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
    }, sql`from ${legacyUsage} u where u.id >= ${low} and u.id <= ${batch.high} ${accountHere}`))
    done += batch.n
    progress.rows('usage', done, total)
    if (batch.high >= INTEGER_MAX) break
    low = batch.high + 1
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
