import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { selectRows } from '../../db/rows.js'
import { monthlyUsage, quotaLeases, usage, usageDaily, users, type UsageRow } from '../../db/schema/index.js'
import type { LeaseFlush } from './quota-leases.js'

/**
 * The SQL of a usage flush: buffered rows as JSON text, written together with the monthly
 * counters and this instance's lease sizes in one statement (one round trip: on a busy
 * instance each round trip waits for a turn of the event loop, and grants wait for flushes).
 */

// Rows travel as JSON parameters expanded by json_to_recordset: binding each value separately
// costs more CPU per row than everything else a metered request does. The record type is the
// table's own columns, as the schema declares them.
const usageColumns = Object.entries(getTableColumns(usage)).filter(([key]) => key !== 'id')
const columnList = sql.raw(usageColumns.map(([, column]) => `"${column.name}"`).join(', '))
const recordType = sql.raw(usageColumns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(', '))

/**
 * Characters of row JSON per parameter. V8 puts a string over 128 KiB in its large-object
 * space, which only a full collection frees: a whole batch in one string, ten a second, kept
 * tens of MiB of dead text resident. Parameters below it stay young and die young.
 */
const PARAMETER_CHARS = 96 * 1024

/** A NUL, or a UTF-16 half of either kind: the rare text that needs mending before it is stored. */
const NEEDS_MENDING = /[\u0000\uD800-\uDFFF]/
/** A UTF-16 half without its other half: JSON.stringify writes it as an escape PostgreSQL refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Text as PostgreSQL can take it: no NUL, no lone surrogate (made U+FFFD, as UTF-8 encoding would).
 * Recorded queries and messages carry whatever a client sent; one row the database refuses would
 * fail every flush, for every user.
 */
function storableText(value: unknown): unknown {
  if (typeof value !== 'string' || !NEEDS_MENDING.test(value)) return value
  return value.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD')
}

/**
 * A row as its element of a batch, written when the request is recorded: the buffer then holds
 * one compact string a row until the flush, instead of the row and all its parts.
 */
export function rowJson(row: UsageRow): string {
  const record: Record<string, unknown> = {}
  for (const [key, column] of usageColumns) record[column.name] = storableText(row[key as keyof UsageRow]) ?? null
  return JSON.stringify(record)
}

/** The rows as JSON arrays of at most PARAMETER_CHARS characters each (a longer row alone). */
function jsonParameters(rows: string[]): string[] {
  const out: string[] = []
  let start = 0
  let chars = 0
  for (let i = 0; i < rows.length; i++) {
    if (i > start && chars + rows[i]!.length + 1 > PARAMETER_CHARS) {
      out.push(`[${rows.slice(start, i).join(',')}]`)
      start = i
      chars = 0
    }
    chars += rows[i]!.length + 1
  }
  if (rows.length > start) out.push(`[${rows.slice(start).join(',')}]`)
  return out
}

/** The rows as one relation of the usage columns. */
function batchRelation(rows: string[]): SQL {
  const parameters = jsonParameters(rows)
  if (parameters.length === 0) parameters.push('[]')
  return sql.join(
    parameters.map((json) => sql`select * from json_to_recordset(${json}::json) as batch(${recordType})`),
    sql` union all `,
  )
}

export interface FlushStatement {
  rows: string[]
  sizes: LeaseFlush[]
  instanceId: string
  now: Date
  leaseExpiresAt: Date
  /** Leave out the rows of users deleted since their requests were answered. */
  existingUsersOnly: boolean
}

/**
 * One statement, atomic as any: inserts the rows not already stored (by request id), adds to
 * each user's month and to the daily rollups what the inserted rows count (so a batch sent twice
 * counts once; in key order, so concurrent flushes lock counters in one order), and sets each lease of
 * this instance to its new size, deleting the emptied ones.
 */
export function flushStatement({ rows, sizes, instanceId, now, leaseExpiresAt, existingUsersOnly }: FlushStatement): SQL {
  const ofExistingUsers = existingUsersOnly ? sql`where exists (select 1 from ${users} where ${users.id} = batch.user_id)` : sql``
  const sizesJson = JSON.stringify(sizes.map((l) => ({ user_id: l.userId, month: l.month, keep: l.keep })))
  return sql`
    with batch as (${batchRelation(rows)}),
    inserted as (
      insert into ${usage} (${columnList})
      select ${columnList} from batch ${ofExistingUsers}
      on conflict (request_id, "timestamp") do nothing
      returning user_id, "timestamp", endpoint, status_code, response_time_ms
    ),
    deltas as (
      select user_id, to_char("timestamp" at time zone 'UTC', 'YYYY-MM') as month, count(*)::int as total,
        (count(*) filter (where status_code < 300))::int as successful, (count(*) filter (where status_code >= 300))::int as failed,
        coalesce(sum(response_time_ms), 0) as response_ms
      from inserted group by 1, 2
    ),
    counted as (
      insert into ${monthlyUsage} (user_id, month, total_requests, successful_requests, failed_requests, total_response_time_ms, last_updated)
      select user_id, month, total, successful, failed, response_ms, ${now.toISOString()}::timestamptz from deltas order by user_id, month
      on conflict (user_id, month) do update set
        total_requests = ${monthlyUsage}.total_requests + excluded.total_requests,
        successful_requests = ${monthlyUsage}.successful_requests + excluded.successful_requests,
        failed_requests = ${monthlyUsage}.failed_requests + excluded.failed_requests,
        total_response_time_ms = ${monthlyUsage}.total_response_time_ms + excluded.total_response_time_ms,
        last_updated = excluded.last_updated
      returning 1
    ),
    rolled_up as (
      insert into ${usageDaily} (user_id, day, endpoint, status_class, requests, total_response_time_ms, min_response_time_ms, max_response_time_ms)
      select user_id, ("timestamp" at time zone 'UTC')::date, endpoint, (status_code / 100)::smallint, count(*)::int,
        sum(response_time_ms), min(response_time_ms), max(response_time_ms)
      from inserted group by 1, 2, 3, 4 order by 1, 2, 3, 4
      on conflict (user_id, day, endpoint, status_class) do update set
        requests = ${usageDaily}.requests + excluded.requests,
        total_response_time_ms = ${usageDaily}.total_response_time_ms + excluded.total_response_time_ms,
        min_response_time_ms = least(${usageDaily}.min_response_time_ms, excluded.min_response_time_ms),
        max_response_time_ms = greatest(${usageDaily}.max_response_time_ms, excluded.max_response_time_ms)
      returning 1
    ),
    sizes as (
      select * from json_to_recordset(${sizesJson}::json) as s(user_id integer, month text, keep integer)
    ),
    emptied as (
      delete from ${quotaLeases} q using sizes
      where q.instance_id = ${instanceId}::uuid and q.user_id = sizes.user_id and q.month = sizes.month and sizes.keep = 0
      returning 1
    ),
    resized as (
      update ${quotaLeases} q set granted = sizes.keep, expires_at = ${leaseExpiresAt.toISOString()}::timestamptz from sizes
      where q.instance_id = ${instanceId}::uuid and q.user_id = sizes.user_id and q.month = sizes.month and sizes.keep > 0
      returning 1
    )
    select (select count(*) from inserted)::int as inserted`
}

/** How many of the rows belong to users that no longer exist. */
export async function rowsOfDeletedUsers(db: Database, rows: string[]): Promise<number> {
  const [found] = await selectRows<{ n: number }>(db, sql`
    select count(*)::int as n from (${batchRelation(rows)}) as batch
    where not exists (select 1 from ${users} where ${users.id} = batch.user_id)`)
  return found?.n ?? 0
}
