import { sql } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { isMonthKey } from '../metering/months.js'
import { conflictList, legacyTable, plural, type Db, type TableReview } from './findings.js'
import type { Resolutions } from './options.js'

interface LegacyMonth {
  id: number
  user_id: number
  month: string
  total: number | null
  owner_exists: boolean
  no_last_updated: boolean
  counter_unknown: boolean
  rows_counted: number | null
}

/**
 * Monthly rows are what customers were billed on: they come across with their counters as they
 * are, even where the old service lost increments and its usage rows count more. The current
 * month's row is what the quota counts from, so the switch gives nobody a fresh quota.
 */
export async function reviewMonthly(db: Db, schema: string, resolutions: Resolutions, currentMonth: string): Promise<TableReview<null>> {
  const rows = await selectRows<LegacyMonth>(db, sql`
    with counted as (
      select user_id, to_char("timestamp", 'YYYY-MM') as month, count(*)::int as n
      from ${legacyTable(schema, 'usage')} where "timestamp" is not null group by 1, 2
    )
    select m.id, m.user_id, m.month, m.total_requests as total,
      exists (select 1 from ${legacyTable(schema, 'users')} u where u.id = m.user_id) as owner_exists,
      m.last_updated is null as no_last_updated,
      (m.total_requests is null or m.successful_requests is null or m.failed_requests is null or m.total_response_time_ms is null) as counter_unknown,
      c.n as rows_counted
    from ${legacyTable(schema, 'monthly_usage')} m
    left join counted c on c.user_id = m.user_id and c.month = m.month
    order by m.id`)
  const conflicts = conflictList('monthly_usage')
  const seen = new Map<string, number[]>()
  let dropped = 0
  let lower = 0
  let higher = 0
  const current: number[] = []
  for (const row of rows) {
    if (!row.owner_exists) {
      if (resolutions.dropOrphans) {
        dropped++
        continue
      }
      conflicts.add(row.id, `belongs to account ${row.user_id}, which does not exist`, '--drop-orphans (the row is left behind)')
    }
    if (!isMonthKey(row.month)) {
      conflicts.add(row.id, `month ${JSON.stringify(row.month)} is not written YYYY-MM`, `correct it in the old database: UPDATE monthly_usage SET month = '…' WHERE id = ${row.id}`)
    }
    const key = `${row.user_id} ${row.month}`
    seen.set(key, [...(seen.get(key) ?? []), row.id])
    if (row.no_last_updated && !resolutions.fillMissing) conflicts.add(row.id, 'has no last update time', '--fill-missing (stores the time of the adoption)')
    const total = row.total ?? 0
    if (total < (row.rows_counted ?? 0)) lower++
    else if (total > (row.rows_counted ?? 0)) higher++
    if (row.month === currentMonth) current.push(total)
  }
  for (const ids of seen.values()) {
    if (ids.length > 1) conflicts.add(ids, 'the same account and month more than once', 'merge them into one row in the old database')
  }
  const notes = [
    lower + higher > 0
      ? `${plural(lower + higher, 'monthly row')} disagree with the usage rows of their month (${lower.toLocaleString('en-US')} count fewer, ${higher.toLocaleString('en-US')} more): the billed figures are kept as they are`
      : '',
    `this month (${currentMonth}): ${plural(current.length, 'account')} start with the ${plural(current.reduce((a, b) => a + b, 0), 'request')} the old service counted against their quota`,
    rows.some((r) => r.counter_unknown) ? `without a counter (${plural(rows.filter((r) => r.counter_unknown).length, 'monthly row')}): 0, the old column's default` : '',
    resolutions.fillMissing && rows.some((r) => r.no_last_updated) ? `without a last update time (${plural(rows.filter((r) => r.no_last_updated).length, 'monthly row')}): the time of the adoption (--fill-missing)` : '',
    dropped > 0 ? `${plural(dropped, 'monthly row')} of accounts that do not exist are left behind (--drop-orphans)` : '',
  ].filter(Boolean)
  return { conflicts: conflicts.list(), optionProblems: [], notes, warnings: [], leftBehind: dropped, plan: null }
}
