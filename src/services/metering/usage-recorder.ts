import { getTableColumns, sql } from 'drizzle-orm'
import { DEADLOCK_DETECTED, errorCode, FOREIGN_KEY_VIOLATION } from '../../db/errors.js'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { monthlyUsage, quotaLeases, usage, users, type UsageRow } from '../../db/schema/index.js'
import { LEASE_TTL_MS, type LeaseFlush, type QuotaLeases } from './quota-leases.js'

/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 1_000

// A batch travels as one JSON parameter expanded by json_to_recordset: binding each value
// separately costs more CPU per row than everything else a metered request does. The record
// type is the table's own columns, as the schema declares them.
const usageColumns = Object.entries(getTableColumns(usage)).filter(([key]) => key !== 'id')
const columnList = sql.raw(usageColumns.map(([, column]) => `"${column.name}"`).join(', '))
const recordType = sql.raw(usageColumns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(', '))

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
 * A row as its element of the batch's JSON, written when the request is recorded: the buffer
 * then holds one compact string a row until the flush, instead of the row and all its parts,
 * and the flush only joins them.
 */
function rowJson(row: UsageRow): string {
  const record: Record<string, unknown> = {}
  for (const [key, column] of usageColumns) record[column.name] = storableText(row[key as keyof UsageRow]) ?? null
  return JSON.stringify(record)
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

interface MonthlyDelta {
  userId: number
  month: string
  total: number
  successful: number
  failed: number
  responseTimeMs: number
}

/** Rows of the result: postgres.js answers them as an array, PGlite in an object holding them. */
function resultRows<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/**
 * Inserts the rows not already stored (by request id), and answers what they add to each
 * user's month, summed in the same statement: only the rows inserted count, so a batch sent
 * twice counts once. `existingUsersOnly` leaves out the rows of users deleted meanwhile.
 */
async function insertNew(tx: Transaction, rows: string[], existingUsersOnly: boolean): Promise<MonthlyDelta[]> {
  const ofExistingUsers = existingUsersOnly ? sql`where exists (select 1 from ${users} where ${users.id} = batch.user_id)` : sql``
  const result = await tx.execute(sql`
    with inserted as (
      insert into ${usage} (${columnList})
      select ${columnList} from json_to_recordset(${`[${rows.join(',')}]`}::json) as batch(${recordType})
      ${ofExistingUsers}
      on conflict (request_id) do nothing
      returning user_id, "timestamp", status_code, response_time_ms
    )
    select user_id as "userId", to_char("timestamp" at time zone 'UTC', 'YYYY-MM') as month, count(*)::int as total,
      (count(*) filter (where status_code < 300))::int as successful, (count(*) filter (where status_code >= 300))::int as failed,
      coalesce(sum(response_time_ms), 0)::float8 as "responseTimeMs"
    from inserted group by 1, 2`)
  return resultRows<MonthlyDelta>(result)
}

/** How many of the rows belong to users that no longer exist. */
async function rowsOfDeletedUsers(db: Database, rows: string[]): Promise<number> {
  const result = await db.execute(sql`
    select count(*)::int as n from json_to_recordset(${`[${rows.join(',')}]`}::json) as batch(user_id integer)
    where not exists (select 1 from ${users} where ${users.id} = batch.user_id)`)
  return resultRows<{ n: number }>(result)[0]?.n ?? 0
}

/** Sums the deltas of several statements per (user, month), sorted so concurrent flushes lock rows in one order. */
function merged(deltas: MonthlyDelta[]): MonthlyDelta[] {
  const byKey = new Map<string, MonthlyDelta>()
  for (const delta of deltas) {
    const key = `${delta.userId}:${delta.month}`
    const sum = byKey.get(key)
    if (!sum) byKey.set(key, { ...delta })
    else {
      sum.total += delta.total
      sum.successful += delta.successful
      sum.failed += delta.failed
      sum.responseTimeMs += delta.responseTimeMs
    }
  }
  return [...byKey.values()].sort((a, b) => a.userId - b.userId || a.month.localeCompare(b.month))
}

const MAX_ATTEMPTS = 3

export interface UsageRecorderOptions {
  db: Database
  clock: Clock
  leases: QuotaLeases
  /** The most rows held in memory; past it, metered requests are refused rather than lost. */
  maxBuffered: number
  /** Told how many rows were dropped because their user no longer exists. */
  onDropped?: (count: number) => void
}

/**
 * Buffers usage rows and writes them in one transaction per flush: the rows (idempotent by
 * request id), the monthly counters derived from the rows actually inserted, and the lease sizes.
 */
export function createUsageRecorder({ db, clock, leases, maxBuffered, onDropped }: UsageRecorderOptions) {
  /** Each row as its JSON text (see rowJson). */
  let buffer: string[] = []
  let flushing: Promise<void> | undefined

  function record(row: UsageRow): void {
    buffer.push(rowJson(row))
  }

  async function write(rows: string[], leaseFlush: LeaseFlush[], existingUsersOnly: boolean): Promise<void> {
    await db.transaction(async (tx) => {
      const now = clock.now()
      const perStatement: MonthlyDelta[] = []
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) perStatement.push(...(await insertNew(tx, rows.slice(i, i + ROWS_PER_STATEMENT), existingUsersOnly)))
      const deltas = merged(perStatement)
      if (deltas.length > 0) {
        await tx
          .insert(monthlyUsage)
          .values(deltas.map((d) => ({
            userId: d.userId, month: d.month, totalRequests: d.total, successfulRequests: d.successful,
            failedRequests: d.failed, totalResponseTimeMs: d.responseTimeMs, lastUpdated: now,
          })))
          .onConflictDoUpdate({
            target: [monthlyUsage.userId, monthlyUsage.month],
            set: {
              totalRequests: sql`${monthlyUsage.totalRequests} + excluded.total_requests`,
              successfulRequests: sql`${monthlyUsage.successfulRequests} + excluded.successful_requests`,
              failedRequests: sql`${monthlyUsage.failedRequests} + excluded.failed_requests`,
              totalResponseTimeMs: sql`${monthlyUsage.totalResponseTimeMs} + excluded.total_response_time_ms`,
              lastUpdated: now,
            },
          })
      }
      if (leaseFlush.length > 0) await writeLeaseSizes(tx, leaseFlush, now)
    })
  }

  /** Every lease of this instance to its new size in one statement: emptied ones are deleted. */
  async function writeLeaseSizes(tx: Transaction, sizes: LeaseFlush[], now: Date): Promise<void> {
    const expiresAt = new Date(now.getTime() + LEASE_TTL_MS).toISOString()
    await tx.execute(sql`
      with sizes as (
        select * from json_to_recordset(${JSON.stringify(sizes.map((l) => ({ user_id: l.userId, month: l.month, keep: l.keep })))}::json)
          as s(user_id integer, month text, keep integer)
      ), emptied as (
        delete from ${quotaLeases} q using sizes
        where q.instance_id = ${leases.instanceId}::uuid and q.user_id = sizes.user_id and q.month = sizes.month and sizes.keep = 0
      )
      update ${quotaLeases} q set granted = sizes.keep, expires_at = ${expiresAt}::timestamptz from sizes
      where q.instance_id = ${leases.instanceId}::uuid and q.user_id = sizes.user_id and q.month = sizes.month and sizes.keep > 0`)
  }

  /** Lease sizes of a failed flush, sent again with the next one (newer sizes win). */
  let unsentSizes: LeaseFlush[] = []

  function mergeSizes(older: LeaseFlush[], newer: LeaseFlush[]): LeaseFlush[] {
    const byKey = new Map(older.map((l) => [`${l.userId}:${l.month}`, l]))
    for (const l of newer) byKey.set(`${l.userId}:${l.month}`, l)
    return [...byKey.values()].sort((a, b) => a.userId - b.userId || a.month.localeCompare(b.month))
  }

  /** Writes everything buffered so far; concurrent calls share one flush. */
  function flush(): Promise<void> {
    flushing ??= leases
      .exclusive(async () => {
        // Rows and lease sizes are taken in one synchronous step, so they agree.
        const rows = buffer
        buffer = []
        const sizes = mergeSizes(unsentSizes, leases.takeFlush())
        unsentSizes = []
        if (rows.length === 0 && sizes.length === 0) return
        let existingUsersOnly = false
        for (let attempt = 1; ; attempt++) {
          try {
            await write(rows, sizes, existingUsersOnly)
            return
          } catch (error) {
            const code = errorCode(error)
            if (attempt < MAX_ATTEMPTS && code === DEADLOCK_DETECTED) continue
            // A user deleted since their request was answered: their rows have nowhere to go,
            // and must not block everyone else's.
            if (attempt < MAX_ATTEMPTS && code === FOREIGN_KEY_VIOLATION) {
              if (!existingUsersOnly) onDropped?.(await rowsOfDeletedUsers(db, rows))
              existingUsersOnly = true
              continue
            }
            buffer = rows.concat(buffer)
            unsentSizes = sizes
            throw error
          }
        }
      })
      .finally(() => {
        flushing = undefined
      })
    return flushing
  }

  /** Flushes until nothing is buffered: a flush already under way may have taken only part. */
  async function drain(): Promise<void> {
    do await flush()
    while (buffer.length > 0)
  }

  return {
    record,
    flush,
    drain,
    buffered: () => buffer.length,
    full: () => buffer.length >= maxBuffered,
  }
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>
