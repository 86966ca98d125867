import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { Database } from '../../db/client.js'
import { migrationsFolder } from '../../db/migrate.js'
import { selectRows } from '../../db/rows.js'
import { LEGACY_SCHEMA, LEGACY_TABLES, type LegacyTable } from './legacy-tables.js'

export type DatabaseKind =
  | { kind: 'empty' }
  | { kind: 'ours'; applied: number; available: number }
  | { kind: 'legacy' }
  | { kind: 'unknown'; reasons: string[] }

type Db = Pick<Database, 'execute'>

interface Relation {
  name: string
  kind: string
  /** For a sequence: the table whose column owns it. */
  owner: string | null
}

async function publicRelations(db: Db): Promise<Relation[]> {
  return selectRows<Relation>(db, sql`
    select c.relname as name, c.relkind::text as kind, owner.relname as owner
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i') and c.relkind = 'S'
    left join pg_class owner on owner.oid = d.refobjid
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    order by c.relname`)
}

async function schemaExists(db: Db, name: string): Promise<boolean> {
  const rows = await selectRows<{ found: boolean }>(db, sql`select exists (select 1 from pg_namespace where nspname = ${name}) as found`)
  return rows[0]?.found === true
}

async function appliedMigrations(db: Db): Promise<number | undefined> {
  const [table] = await selectRows<{ found: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as found`)
  if (!table?.found) return undefined
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  return row?.n ?? 0
}

/** How the public tables differ from the old service's: empty when they are exactly its tables. */
async function legacyDifferences(db: Db, relations: Relation[]): Promise<string[]> {
  const reasons: string[] = []
  const expected = Object.keys(LEGACY_TABLES)
  const tables = relations.filter((r) => r.kind === 'r' || r.kind === 'p').map((r) => r.name)
  const extra = tables.filter((t) => !expected.includes(t))
  const missing = expected.filter((t) => !tables.includes(t))
  if (extra.length > 0) reasons.push(`tables the old service did not have: ${extra.join(', ')}`)
  if (missing.length > 0) reasons.push(`tables of the old service that are missing: ${missing.join(', ')}`)
  const others = relations.filter((r) => r.kind !== 'r' && r.kind !== 'p' && !(r.kind === 'S' && r.owner && expected.includes(r.owner)))
  if (others.length > 0) reasons.push(`other relations (views, sequences, foreign tables): ${others.map((r) => r.name).join(', ')}`)
  if (missing.length > 0 || extra.length > 0) return reasons

  const columns = await selectRows<{ table: LegacyTable; column: string; type: string }>(db, sql`
    select c.relname as "table", a.attname as "column", format_type(a.atttypid, null) as type
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
    order by 1, a.attnum`)
  for (const table of expected as LegacyTable[]) {
    const wanted: Record<string, string> = LEGACY_TABLES[table]
    const found = new Map(columns.filter((c) => c.table === table).map((c) => [c.column, c.type]))
    for (const [column, type] of Object.entries(wanted)) {
      const actual = found.get(column)
      if (actual === undefined) reasons.push(`${table}.${column} is missing`)
      else if (actual !== type) reasons.push(`${table}.${column} is ${actual}, not ${type}`)
    }
    for (const column of found.keys()) if (!(column in wanted)) reasons.push(`${table}.${column} is a column the old service did not have`)
  }
  return reasons
}

/** Which of the databases the adoption knows this is: nothing is changed to find out. */
export async function detectDatabaseKind(db: Db): Promise<DatabaseKind> {
  const applied = await appliedMigrations(db)
  if (applied !== undefined) return { kind: 'ours', applied, available: readMigrationFiles({ migrationsFolder }).length }
  const relations = await publicRelations(db)
  const leftover = await schemaExists(db, LEGACY_SCHEMA)
  if (relations.length === 0 && !leftover && !(await schemaExists(db, 'drizzle'))) return { kind: 'empty' }
  const reasons = await legacyDifferences(db, relations)
  if (leftover) reasons.push(`a schema named ${LEGACY_SCHEMA} exists already (the adoption needs that name)`)
  return reasons.length === 0 ? { kind: 'legacy' } : { kind: 'unknown', reasons }
}
