import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrationsFolder } from './migrate.js'

interface Journal {
  entries: { tag: string }[]
}

export interface EarlierMigrations {
  folder: string
  remove(): void
}

/**
 * A copy of the migrations folder that ends with migration `tag`: migrating with it makes a
 * database as that release left it, to check what the later migrations do to its rows.
 */
export function migrationsUpTo(tag: string): EarlierMigrations {
  const folder = mkdtempSync(join(tmpdir(), 'fetcha-migrations-'))
  cpSync(migrationsFolder, folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal
  const end = journal.entries.findIndex((entry) => entry.tag === tag)
  if (end < 0) throw new Error(`no migration is tagged ${tag}`)
  journal.entries = journal.entries.slice(0, end + 1)
  writeFileSync(journalPath, JSON.stringify(journal))
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) }
}
