import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { ScratchDatabase } from './legacy-database.js'

const run = promisify(execFile)

/**
 * The database as one text: its schemas, relations, columns, constraints, indexes, triggers,
 * functions, sequence positions and every row of every table. Two equal snapshots mean nothing
 * was changed; it works on PGlite and PostgreSQL alike.
 */
export async function snapshot(database: ScratchDatabase): Promise<string> {
  const parts: unknown[] = []
  const user = `not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'`
  parts.push(await database.rows(`select nspname from pg_namespace n where n.nspname ${user} order by 1`))
  parts.push(await database.rows(`
    select n.nspname, c.relname, c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname ${user} order by 1, 2`))
  parts.push(await database.rows(`
    select n.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname ${user} and a.attnum > 0 and not a.attisdropped order by 1, 2, 3`))
  parts.push(await database.rows(`
    select n.nspname, conname, pg_get_constraintdef(k.oid) as def from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname ${user} order by 1, 2, 3`))
  parts.push(await database.rows(`select schemaname, indexname, indexdef from pg_indexes where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`))
  parts.push(await database.rows(`select tgname, pg_get_triggerdef(t.oid) as def from pg_trigger t where not tgisinternal order by 1`))
  parts.push(await database.rows(`select p.proname, p.prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${user} order by 1`))
  const sequences = await database.rows<{ name: string }>(`
    select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname ${user} order by 1`)
  for (const { name } of sequences) parts.push([name, await database.rows(`select last_value::text, is_called from ${name}`)])
  const tables = await database.rows<{ name: string }>(`
    select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname ${user} order by 1`)
  for (const { name } of tables) parts.push([name, await database.rows(`select t::text as row from ${name} t order by 1`)])
  return JSON.stringify(parts, null, 1)
}

/**
 * pg_dump's text of a PostgreSQL database, less the random \restrict key it writes each time;
 * where pg_dump is not installed, a sentence saying so (the SQL snapshot still compares).
 */
export async function pgDump(url: string): Promise<string> {
  try {
    const { stdout } = await run('pg_dump', ['--no-owner', '--no-privileges', url], { maxBuffer: 64 * 1024 * 1024 })
    return stdout.split('\n').filter((line) => !/^\\(un)?restrict /.test(line)).join('\n')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'pg_dump is not installed'
    throw error
  }
}
