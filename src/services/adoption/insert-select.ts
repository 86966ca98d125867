import { getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'

/**
 * `INSERT INTO <our table> (…) OVERRIDING SYSTEM VALUE SELECT … <from>`, each of our columns
 * (named as the schema names them) beside the expression that fills it. Ids are given, not
 * generated: every row keeps the id the old service gave it.
 */
export function insertSelect<T extends PgTable>(table: T, values: Partial<Record<keyof T['_']['columns'], SQL>>, from: SQL): SQL {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const entries = Object.entries(values) as [string, SQL][]
  const names = sql.join(entries.map(([key]) => sql.identifier(columns[key]!.name)), sql`, `)
  const expressions = sql.join(entries.map(([, expression]) => expression), sql`, `)
  return sql`insert into ${table} (${names}) overriding system value select ${expressions} ${from}`
}

/** A naive timestamp of the old service, read as the UTC time it was written as. */
export function utc(column: string): SQL {
  return sql.raw(`(${column} at time zone 'UTC')`)
}
