import { getTableName, sql } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { apiKeys, usage, users } from '../../db/schema/index.js'
import type { Db } from './findings.js'
import { LEGACY_SCHEMA } from './legacy-tables.js'

/**
 * Our identities continue after the highest id the old service ever gave: the larger of its
 * highest row and what its sequence had handed out (rows deleted at the end leave gaps that an
 * id must not fill either: old logs and invoices may name them).
 */
export async function continueIds(db: Db): Promise<Record<string, number>> {
  const next: Record<string, number> = {}
  for (const table of [users, apiKeys, usage]) {
    const name = getTableName(table)
    const [old] = await selectRows<{ seq: string | null }>(db, sql`select pg_get_serial_sequence(${`"${LEGACY_SCHEMA}"."${name}"`}, 'id') as seq`)
    const handedOut = old?.seq
      ? (await selectRows<{ n: string }>(db, sql`select (case when is_called then last_value else last_value - 1 end)::text as n from ${sql.raw(old.seq)}`))[0]?.n
      : undefined
    const [row] = await selectRows<{ highest: string }>(db, sql`
      select greatest(coalesce(max(id), 0), ${handedOut ?? '0'}::bigint)::text as highest from ${table}`)
    const highest = Number(row?.highest ?? 0)
    await db.execute(highest > 0
      ? sql`select setval(pg_get_serial_sequence(${name}, 'id'), ${highest})`
      : sql`select setval(pg_get_serial_sequence(${name}, 'id'), 1, false)`)
    next[name] = highest + 1
  }
  return next
}
