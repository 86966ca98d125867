import { sql, type SQL } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { isCalendarDate } from '../weather/dates.js'
import { conflictList, legacyTable, plural, type Db, type TableReview } from './findings.js'
import type { Resolutions } from './options.js'

interface UsageProblem {
  id: number
  user_id: number
  api_key_id: number | null
  no_account: boolean
  no_key: boolean
  key_left_behind: boolean
  no_time: boolean
  no_response_time: boolean
  status_code: number
  bad_status: boolean
  date_from: string | null
  date_to: string | null
}

/** What the usage copy needs to know besides the operator's resolutions. */
export interface UsagePlan {
  /** Date texts that are not calendar dates: stored as no date (with --clear-invalid-dates, or when empty). */
  notDates: string[]
}

const SMALLINT = 32_767

/** A text[] built in the database from a JSON parameter (one parameter, whatever the driver). */
export function textArray(values: string[]): SQL {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`
}

/**
 * Usage rows are many: the checks run in the database, in one pass over the table, and list
 * only the rows that have a problem. Dates are told apart by the rule the metering uses, applied
 * to the (few) distinct texts.
 */
export async function reviewUsage(db: Db, schema: string, resolutions: Resolutions): Promise<TableReview<UsagePlan>> {
  const usage = legacyTable(schema, 'usage')
  const users = legacyTable(schema, 'users')
  const keys = legacyTable(schema, 'api_keys')
  const texts = await selectRows<{ text: string }>(db, sql`
    select distinct d as text from ${usage} u cross join lateral (values (u.date_from), (u.date_to)) as v(d) where d is not null`)
  const notDates = texts.map((t) => t.text).filter((t) => !isCalendarDate(t))
  const invalid = textArray(notDates.filter((t) => t !== ''))

  const rows = await selectRows<UsageProblem>(db, sql`
    select u.id, u.user_id, u.api_key_id, u.status_code,
      owner.id is null as no_account,
      u.api_key_id is not null and k.id is null as no_key,
      k.id is not null and key_owner.id is null as key_left_behind,
      u."timestamp" is null as no_time,
      u.response_time_ms is null as no_response_time,
      u.status_code not between ${-SMALLINT - 1} and ${SMALLINT} as bad_status,
      case when u.date_from = any(${invalid}) then u.date_from end as date_from,
      case when u.date_to = any(${invalid}) then u.date_to end as date_to
    from ${usage} u
    left join ${users} owner on owner.id = u.user_id
    left join ${keys} k on k.id = u.api_key_id
    left join ${users} key_owner on key_owner.id = k.user_id
    where owner.id is null or (u.api_key_id is not null and (k.id is null or key_owner.id is null)) or u."timestamp" is null
      or u.response_time_ms is null or u.status_code not between ${-SMALLINT - 1} and ${SMALLINT}
      or u.date_from = any(${invalid}) or u.date_to = any(${invalid})
    order by u.id`)

  const conflicts = conflictList('usage')
  let dropped = 0
  let detached = 0
  let cleared = 0
  let filled = 0
  for (const row of rows) {
    if (row.no_account) {
      if (resolutions.dropOrphans) {
        dropped++
        continue
      }
      conflicts.add(row.id, `belongs to account ${row.user_id}, which does not exist`, '--drop-orphans (the row is left behind)')
    }
    if (row.no_key || (row.key_left_behind && resolutions.dropOrphans)) {
      if (resolutions.detachOrphanUsage) detached++
      else conflicts.add(row.id, `names key ${row.api_key_id}, which does not exist${row.key_left_behind ? ' (or is left behind with its account)' : ''}`, '--detach-orphan-usage (the row comes across without a key)')
    } else if (row.key_left_behind) {
      conflicts.add(row.id, `names key ${row.api_key_id}, whose account does not exist`, '--drop-orphans with --detach-orphan-usage')
    }
    if (row.no_time) conflicts.add(row.id, 'has no time, so it belongs to no month', `give it one in the old database: UPDATE usage SET "timestamp" = '…' WHERE id = ${row.id}`)
    if (row.bad_status) conflicts.add(row.id, `status code ${row.status_code} is not an HTTP status`, `correct it in the old database: UPDATE usage SET status_code = … WHERE id = ${row.id}`)
    if (row.no_response_time) {
      if (resolutions.fillMissing) filled++
      else conflicts.add(row.id, 'has no response time', '--fill-missing (0 ms, as this service records a request it did not time)')
    }
    for (const [column, value] of [['date_from', row.date_from], ['date_to', row.date_to]] as const) {
      if (value === null) continue
      if (resolutions.clearInvalidDates) cleared++
      else conflicts.add(row.id, `${column} ${JSON.stringify(value)} is not a calendar date`, '--clear-invalid-dates (stored as no date, as this service records such a request)')
    }
  }
  const notes = [
    'request times without a time zone are read as UTC; every row keeps its id and gets a request id',
    notDates.includes('') ? 'empty date_from / date_to texts are stored as no date' : '',
    dropped > 0 ? `${plural(dropped, 'usage row')} of accounts that do not exist are left behind (--drop-orphans)` : '',
    detached > 0 ? `${plural(detached, 'usage row')} of keys that do not exist come across without a key (--detach-orphan-usage)` : '',
    cleared > 0 ? `${plural(cleared, 'date')} that are not calendar dates are stored as no date (--clear-invalid-dates)` : '',
    filled > 0 ? `${plural(filled, 'usage row')} without a response time are stored as 0 ms (--fill-missing)` : '',
  ].filter(Boolean)
  return { conflicts: conflicts.list(), optionProblems: [], notes, warnings: [], leftBehind: dropped, plan: { notDates } }
}
