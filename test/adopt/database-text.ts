import type { ScratchDatabase } from './legacy-database.js'

const USER_TABLES = `
  select n.nspname as schema, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
  order by 1, 2`

/**
 * Where in the database a text occurs: every row of every table (each whole row read as text,
 * so every column is searched) and the definitions of constraints, indexes, defaults, views and
 * functions. Answers "schema.table" or "catalog: kind" for each place.
 */
export async function placesHolding(database: ScratchDatabase, text: string): Promise<string[]> {
  const places: string[] = []
  for (const { schema, table } of await database.rows<{ schema: string; table: string }>(USER_TABLES)) {
    const ident = `"${schema.replace(/"/g, '""')}"."${table.replace(/"/g, '""')}"`
    const [hit] = await database.rows<{ n: number }>(`select count(*)::int as n from ${ident} t where strpos(t::text, $1) > 0`, [text])
    if ((hit?.n ?? 0) > 0) places.push(`${schema}.${table}`)
  }
  const catalogs = await database.rows<{ kind: string }>(`
    select kind from (
      select 'constraint' as kind, pg_get_constraintdef(oid) as def from pg_constraint
      union all select 'index', pg_get_indexdef(indexrelid) from pg_index
      union all select 'default', pg_get_expr(adbin, adrelid) from pg_attrdef
      union all select 'view', definition from pg_views where schemaname not in ('pg_catalog', 'information_schema')
      union all select 'function', prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog', 'information_schema')
      union all select 'comment', description from pg_description
    ) d where strpos(def, $1) > 0`, [text])
  for (const { kind } of catalogs) places.push(`catalog: ${kind}`)
  return places
}

/** Rows per table of ours (or of the old service, before). */
export async function rowCounts(database: ScratchDatabase, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of tables) counts[table] = (await database.rows<{ n: number }>(`select count(*)::int as n from ${table}`))[0]?.n ?? 0
  return counts
}
