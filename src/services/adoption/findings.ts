import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import type { TIERS } from '../../db/schema/index.js'
import type { LegacyTable } from './legacy-tables.js'

export type Db = Pick<Database, 'execute'>
export type Tier = (typeof TIERS)[number]

/** Rows that cannot come across as they are: the adoption stops until each is resolved. */
export interface Conflict {
  table: LegacyTable
  ids: number[]
  problem: string
  resolve: string
}

/** What the review of one table found, and what the copy of it needs. */
export interface TableReview<Plan> {
  conflicts: Conflict[]
  /** Options that name nothing they could resolve: a typo must not pass unnoticed. */
  optionProblems: string[]
  /** Conversions made without asking, because they keep the meaning. */
  notes: string[]
  /** Rows that come across as they are, with consequences the operator should know. */
  warnings: string[]
  /** Rows the operator chose to leave behind (--drop-orphans). */
  leftBehind: number
  plan: Plan
}

/** A table of the old service, in the schema it stands in now. */
export function legacyTable(schema: string, table: LegacyTable): SQL {
  return sql.raw(`"${schema}"."${table}"`)
}

/** Collects a table's conflicts: one entry per distinct problem and resolution, every row id listed. */
export function conflictList(table: LegacyTable) {
  const entries = new Map<string, Conflict>()
  return {
    add(ids: number | number[], problem: string, resolve: string) {
      const key = `${problem}\u0000${resolve}`
      const entry = entries.get(key) ?? { table, ids: [], problem, resolve }
      entry.ids.push(...(Array.isArray(ids) ? ids : [ids]))
      entries.set(key, entry)
    },
    list: (): Conflict[] => [...entries.values()],
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}
