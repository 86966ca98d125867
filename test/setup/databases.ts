import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { migratePgliteDatabase, migratePostgresDatabase, migrationsFolder } from '../../src/db/migrate.js'

/**
 * Every test file gets a database of its own, copied from one migrated template: on PostgreSQL a
 * `CREATE DATABASE … TEMPLATE`, on PGlite a dump of a migrated data directory. Templates are
 * named after the migrations they hold, so concurrent runs share them safely and a new migration
 * gets a new template.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TEST_DATABASE_PREFIX = 'fetcha_test_'
const STALE_AFTER_SECONDS = 6 * 3600

function migrationsDigest(): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else hash.update(entry.name).update(readFileSync(path))
    }
  }
  walk(migrationsFolder)
  return hash.digest('hex').slice(0, 12)
}

const digest = migrationsDigest()
const pgliteTemplateFile = join(root, '.tap', `pglite-template-${digest}.tar.gz`)
export const TEMPLATE_DATABASE = `fetcha_template_${digest}`

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
  if (existsSync(pgliteTemplateFile)) return
  const db = new PGlite()
  await migratePgliteDatabase(db)
  const dump = await db.dumpDataDir('gzip')
  await db.close()
  mkdirSync(dirname(pgliteTemplateFile), { recursive: true })
  const partial = `${pgliteTemplateFile}.${process.pid}.partial`
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
  renameSync(partial, pgliteTemplateFile)
}

/** A fresh, migrated embedded database. */
export async function freshPglite(): Promise<PGlite> {
  await preparePgliteTemplate()
  return new PGlite({ loadDataDir: new Blob([readFileSync(pgliteTemplateFile)]) })
}

async function databaseExists(admin: postgres.Sql, name: string): Promise<boolean> {
  const rows = await admin`select 1 from pg_database where datname = ${name}`
  return rows.length > 0
}

/** Creates the template once; runs that start together wait on an advisory lock for it. */
export async function preparePostgresTemplate(): Promise<void> {
  const admin = adminClient()
  try {
    await admin`select pg_advisory_lock(hashtext(${TEMPLATE_DATABASE}))`
    if (await databaseExists(admin, TEMPLATE_DATABASE)) return
    const building = `${TEMPLATE_DATABASE}_building`
    await admin.unsafe(`drop database if exists ${building} with (force)`)
    await admin.unsafe(`create database ${building}`)
    await migratePostgresDatabase(urlFor(building))
    await admin.unsafe(`alter database ${building} rename to ${TEMPLATE_DATABASE}`)
  } finally {
    await admin.end()
  }
}

/** A fresh, migrated PostgreSQL database; the returned function drops it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  await preparePostgresTemplate()
  const created = Math.floor(Date.now() / 1000)
  const name = `${TEST_DATABASE_PREFIX}${created}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
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

/** Drops per-file databases that crashed runs left behind long ago (never a running one's). */
export async function dropStaleTestDatabases(): Promise<void> {
  const admin = adminClient()
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${TEST_DATABASE_PREFIX + '%'}`
    const cutoff = Date.now() / 1000 - STALE_AFTER_SECONDS
    for (const { datname } of rows) {
      const created = Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0])
      if (Number.isFinite(created) && created < cutoff) await admin.unsafe(`drop database if exists "${datname}" with (force)`)
    }
  } finally {
    await admin.end()
  }
}
