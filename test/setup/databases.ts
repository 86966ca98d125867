import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { migratePgliteDatabase, migratePostgresDatabase } from '../../src/db/migrate.js'

/**
 * Every test file gets a database of its own, copied from one migrated template: on PostgreSQL a
 * `CREATE DATABASE … TEMPLATE`, on PGlite a dump of a migrated data directory.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const pgliteTemplateFile = join(root, '.tap', 'pglite-template.tar.gz')
export const TEMPLATE_DATABASE = 'fetcha_test_template'
const TEST_DATABASE_PREFIX = 'fetcha_test_'

export function adminClient() {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set')
  return postgres(testDatabaseUrl, { max: 1, onnotice: () => {} })
}

export function urlFor(database: string): string {
  const url = new URL(testDatabaseUrl!)
  url.pathname = `/${database}`
  return url.toString()
}

export async function preparePgliteTemplate(): Promise<void> {
  const db = new PGlite()
  await migratePgliteDatabase(db)
  const dump = await db.dumpDataDir('gzip')
  mkdirSync(dirname(pgliteTemplateFile), { recursive: true })
  writeFileSync(pgliteTemplateFile, Buffer.from(await dump.arrayBuffer()))
  await db.close()
}

/** A fresh, migrated embedded database. */
export async function freshPglite(): Promise<PGlite> {
  if (!existsSync(pgliteTemplateFile)) await preparePgliteTemplate()
  const data = readFileSync(pgliteTemplateFile)
  return new PGlite({ loadDataDir: new Blob([data]) })
}

export async function preparePostgresTemplate(): Promise<void> {
  const admin = adminClient()
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`)
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`)
  } finally {
    await admin.end()
  }
  await migratePostgresDatabase(urlFor(TEMPLATE_DATABASE))
}

/** A fresh, migrated PostgreSQL database; the returned function drops it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = adminClient()
  try {
    await admin.unsafe(`create database ${name} template ${TEMPLATE_DATABASE}`)
  } finally {
    await admin.end()
  }
  return {
    url: urlFor(name),
    drop: async () => {
      const client = adminClient()
      try {
        await client.unsafe(`drop database if exists ${name} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** Drops what a run left behind (a crashed file's database, the template). */
export async function dropTestDatabases(): Promise<void> {
  const admin = adminClient()
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${TEST_DATABASE_PREFIX + '%'}`
    for (const { datname } of rows) await admin.unsafe(`drop database if exists "${datname}" with (force)`)
  } finally {
    await admin.end()
  }
}
