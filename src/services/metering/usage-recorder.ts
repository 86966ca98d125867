import { getTableColumns, inArray, sql } from 'drizzle-orm'
import { DEADLOCK_DETECTED, errorCode, FOREIGN_KEY_VIOLATION } from '../../db/errors.js'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { monthlyUsage, quotaLeases, usage, users, type UsageRow } from '../../db/schema/index.js'
import { utcMonth } from './months.js'
import { LEASE_TTL_MS, type LeaseFlush, type QuotaLeases } from './quota-leases.js'

/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 1_000

// A batch travels as one JSON parameter expanded by json_to_recordset: binding each value
// separately costs more CPU per row than everything else a metered request does. The record
// type is the table's own columns, as the schema declares them.
const usageColumns = Object.entries(getTableColumns(usage)).filter(([key]) => key !== 'id')
const columnList = sql.raw(usageColumns.map(([, column]) => `"${column.name}"`).join(', '))
const recordType = sql.raw(usageColumns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(', '))

/** A UTF-16 half without its other half: JSON.stringify writes it as an escape PostgreSQL refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Text as PostgreSQL can take it: no NUL, no lone surrogate (made U+FFFD, as UTF-8 encoding would).
 * Recorded queries and messages carry whatever a client sent; one row the database refuses would
 * fail every flush, for every user.
 */
function storableText(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD') : value
}

function batchJson(rows: UsageRow[]): string {
  return JSON.stringify(
    rows.map((row) => Object.fromEntries(usageColumns.map(([key, column]) => [column.name, storableText(row[key as keyof UsageRow]) ?? null]))),
  )
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

/** Inserts the rows not already stored (by request id); answers those it inserted. */
async function insertNew(tx: Transaction, rows: UsageRow[]): Promise<UsageRow[]> {
  const result = await tx.execute<{ request_id: string }>(sql`
    insert into ${usage} (${columnList})
    select ${columnList} from json_to_recordset(${batchJson(rows)}::json) as batch(${recordType})
    on conflict (request_id) do nothing
    returning request_id`)
  // postgres.js answers the rows themselves, PGlite an object holding them.
  const returned = (Array.isArray(result) ? result : (result as unknown as { rows: { request_id: string }[] }).rows) as { request_id: string }[]
  const inserted = new Set(returned.map((r) => r.request_id))
  return rows.filter((row) => inserted.has(row.requestId))
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

interface MonthlyDelta {
  userId: number
  month: string
  total: number
  successful: number
  failed: number
  responseTimeMs: number
}

/** Sums inserted rows per (user, month), sorted so concurrent flushes lock rows in one order. */
function aggregate(rows: Pick<UsageRow, 'userId' | 'timestamp' | 'statusCode' | 'responseTimeMs'>[]): MonthlyDelta[] {
  const byKey = new Map<string, MonthlyDelta>()
  for (const row of rows) {
    const month = utcMonth(row.timestamp)
    const key = `${row.userId}:${month}`
    let delta = byKey.get(key)
    if (!delta) byKey.set(key, (delta = { userId: row.userId, month, total: 0, successful: 0, failed: 0, responseTimeMs: 0 }))
    delta.total += 1
    if (row.statusCode < 300) delta.successful += 1
    else delta.failed += 1
    delta.responseTimeMs += row.responseTimeMs
  }
  return [...byKey.values()].sort((a, b) => a.userId - b.userId || a.month.localeCompare(b.month))
}

/**
 * Buffers usage rows and writes them in one transaction per flush: the rows (idempotent by
 * request id), the monthly counters derived from the rows actually inserted, and the lease sizes.
 */
export function createUsageRecorder({ db, clock, leases, maxBuffered, onDropped }: UsageRecorderOptions) {
  let buffer: UsageRow[] = []
  let flushing: Promise<void> | undefined

  function record(row: UsageRow): void {
    buffer.push(row)
  }

  async function write(rows: UsageRow[], leaseFlush: LeaseFlush[]): Promise<void> {
    await db.transaction(async (tx) => {
      const now = clock.now()
      const inserted: UsageRow[] = []
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) inserted.push(...(await insertNew(tx, rows.slice(i, i + ROWS_PER_STATEMENT))))
      const deltas = aggregate(inserted)
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
      const expiresAt = new Date(now.getTime() + LEASE_TTL_MS).toISOString()
      for (const lease of leaseFlush) {
        const where = sql`instance_id = ${leases.instanceId}::uuid and user_id = ${lease.userId} and month = ${lease.month}`
        if (lease.keep === 0) await tx.execute(sql`delete from ${quotaLeases} where ${where}`)
        else await tx.execute(sql`update ${quotaLeases} set granted = ${lease.keep}, expires_at = ${expiresAt}::timestamptz where ${where}`)
      }
    })
  }

  async function withoutDeletedUsers(rows: UsageRow[]): Promise<UsageRow[]> {
    const ids = [...new Set(rows.map((r) => r.userId))]
    const existing = new Set((await db.select({ id: users.id }).from(users).where(inArray(users.id, ids))).map((u) => u.id))
    const kept = rows.filter((r) => existing.has(r.userId))
    onDropped?.(rows.length - kept.length)
    return kept
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
        let batch = rows
        for (let attempt = 1; ; attempt++) {
          try {
            await write(batch, sizes)
            return
          } catch (error) {
            const code = errorCode(error)
            if (attempt < MAX_ATTEMPTS && code === DEADLOCK_DETECTED) continue
            // A user deleted since their request was answered: their rows have nowhere to go,
            // and must not block everyone else's.
            if (attempt < MAX_ATTEMPTS && code === FOREIGN_KEY_VIOLATION) {
              batch = await withoutDeletedUsers(batch)
              continue
            }
            buffer = batch.concat(buffer)
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
