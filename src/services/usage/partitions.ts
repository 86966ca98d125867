import { inArray, sql } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { selectRows } from '../../db/rows.js'
import { prunedUsageMonths } from '../../db/schema/index.js'
import { monthStart, utcMonth } from '../metering/months.js'

/**
 * The monthly partitions of the usage log (migration 0009 made the table and the SQL function
 * `usage_create_partition`, which names them usage_YYYY_MM). Partitions are made ahead of the
 * clock; a row for a month without one lands in usage_default, which readiness reports.
 */

/** Months made ahead of the current one, so that a slow maintenance run never leaves a gap. */
export const PARTITIONS_AHEAD = 3
/** Counting the default partition stops here: readiness only needs to know it is not empty. */
const DEFAULT_ROWS_CAP = 10_000
/** Held while pruning, so that two instances never drop the same partition. */
const PRUNE_LOCK_ID = 7_305_118_203

const PARTITION_NAME = /^usage_(\d{4})_(\d{2})$/

/** The month `offset` months after `month` (before, when negative). */
export function shiftMonth(month: string, offset: number): string {
  const start = monthStart(month)
  return utcMonth(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + offset, 1)))
}

/** Makes the partitions of these months that do not exist yet; answers those it made. */
export async function createPartitions(db: Pick<Database, 'execute'>, months: Iterable<string>): Promise<string[]> {
  const made: string[] = []
  for (const month of [...new Set(months)].sort()) {
    const [row] = await selectRows<{ made: boolean }>(db, sql`select usage_create_partition(${monthStart(month).toISOString()}::timestamptz) as made`)
    if (row?.made) made.push(month)
  }
  return made
}

/** This month's partition and the next PARTITIONS_AHEAD months'. */
export function createPartitionsAhead(db: Pick<Database, 'execute'>, now: Date): Promise<string[]> {
  const current = utcMonth(now)
  return createPartitions(db, Array.from({ length: PARTITIONS_AHEAD + 1 }, (_, i) => shiftMonth(current, i)))
}

/** The months that have a partition, oldest first. */
export async function partitionMonths(db: Pick<Database, 'execute'>): Promise<string[]> {
  const rows = await selectRows<{ name: string }>(db, sql`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'public.usage'::regclass`)
  return rows.flatMap(({ name }) => {
    const match = PARTITION_NAME.exec(name)
    return match ? [`${match[1]}-${match[2]}`] : []
  }).sort()
}

/** Rows in the default partition, counted up to DEFAULT_ROWS_CAP. */
export async function defaultPartitionRows(db: Pick<Database, 'execute'>): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from (select 1 from usage_default limit ${DEFAULT_ROWS_CAP}) as caught`)
  return row?.n ?? 0
}

/** The months of the rows the default partition caught. */
export async function defaultPartitionMonths(db: Pick<Database, 'execute'>): Promise<string[]> {
  const rows = await selectRows<{ month: string }>(db, sql`
    select distinct to_char("timestamp" at time zone 'UTC', 'YYYY-MM') as month from usage_default`)
  return rows.map((r) => r.month).sort()
}

/** The oldest month whose raw rows are kept when `retentionMonths` months are, the current one included. */
export function oldestKeptMonth(now: Date, retentionMonths: number): string {
  return shiftMonth(utcMonth(now), -(retentionMonths - 1))
}

export interface PruneResult {
  /** Months dropped, with the rows each held. */
  months: { month: string; rows: number }[]
  oldestKept: string
}

/**
 * Detaches and drops the partitions of months before the retention window, and deletes rows the
 * default partition holds from before it; each month is recorded in pruned_usage_months (with
 * the rows it held) in the same transaction, so /export can tell a pruned month from an empty one.
 * The daily rollups and monthly counters are left as they are: they are kept for ever.
 */
export async function pruneUsage(db: Database, now: Date, retentionMonths: number): Promise<PruneResult> {
  const oldestKept = oldestKeptMonth(now, retentionMonths)
  const cutoff = monthStart(oldestKept).toISOString()
  const months = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PRUNE_LOCK_ID})`)
    const counted = new Map<string, number>()
    for (const month of await partitionMonths(tx)) {
      if (month >= oldestKept) continue
      const table = sql.identifier(`usage_${month.replace('-', '_')}`)
      await tx.execute(sql`alter table usage detach partition ${table}`)
      const [row] = await selectRows<{ n: number }>(tx, sql`select count(*)::int as n from ${table}`)
      await tx.execute(sql`drop table ${table}`)
      counted.set(month, row?.n ?? 0)
    }
    const strays = await selectRows<{ month: string; n: number }>(tx, sql`
      with gone as (delete from usage_default where "timestamp" < ${cutoff}::timestamptz returning "timestamp")
      select to_char("timestamp" at time zone 'UTC', 'YYYY-MM') as month, count(*)::int as n from gone group by 1`)
    for (const { month, n } of strays) counted.set(month, (counted.get(month) ?? 0) + n)
    const pruned = [...counted].sort(([a], [b]) => a.localeCompare(b)).map(([month, rows]) => ({ month, rows }))
    if (pruned.length > 0) {
      await tx.insert(prunedUsageMonths)
        .values(pruned.map(({ month, rows }) => ({ month, rows, prunedAt: now })))
        .onConflictDoUpdate({ target: prunedUsageMonths.month, set: { rows: sql`${prunedUsageMonths.rows} + excluded.rows`, prunedAt: now } })
    }
    return pruned
  })
  return { months, oldestKept }
}

/** Which of these months retention has pruned. */
export async function prunedAmong(db: Database, months: string[]): Promise<string[]> {
  const rows = await db.select({ month: prunedUsageMonths.month }).from(prunedUsageMonths).where(inArray(prunedUsageMonths.month, months))
  return rows.map((r) => r.month).sort()
}
