import { createHash } from 'node:crypto'
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { isAlive } from '../../src/db/embedded-lock.js'
import { embeddedDatabaseOptions } from '../../src/db/embedded-memory.js'
import { migratePgliteDatabase, migratePostgresDatabase, migrationsFolder } from '../../src/db/migrate.js'

/**
 * Every test file gets a database of its own, copied from one migrated template: on PostgreSQL a
 * `CREATE DATABASE … TEMPLATE`, on PGlite a copy of a migrated data directory (in memory-backed
 * /dev/shm where there is one). Templates are named after the migrations they hold, so concurrent
 * runs share them safely and a new migration gets a new template. A blank PGlite (initdb only, for
 * the migration and adoption tests) is copied from a template of its own too: initdb costs seconds.
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
const pgliteTemplates = join(root, '.tap', 'pglite')
const migratedPgliteTemplate = join(pgliteTemplates, `migrated-${digest}`)
const blankPgliteTemplate = join(pgliteTemplates, 'blank')
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

/** Builds a PGlite data directory once; processes that race each build one and the first rename wins. */
async function preparePgliteDirectory(dir: string, fill: (db: PGlite) => Promise<void>): Promise<void> {
  if (existsSync(dir)) return
  mkdirSync(pgliteTemplates, { recursive: true })
  const building = `${dir}.${process.pid}.building`
  rmSync(building, { recursive: true, force: true })
  const db = new PGlite(building)
  await fill(db)
  // Written out in full, so a copy starts without replaying WAL.
  await db.query('checkpoint')
  await db.close()
  try {
    renameSync(building, dir)
  } catch (error) {
    rmSync(building, { recursive: true, force: true })
    if (!existsSync(dir)) throw error
  }
}

export async function preparePgliteTemplate(): Promise<void> {
  await preparePgliteDirectory(blankPgliteTemplate, async (db) => void (await db.waitReady))
  await preparePgliteDirectory(migratedPgliteTemplate, (db) => migratePgliteDatabase(db))
}

function writableDirectory(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

const copiesRoot = writableDirectory('/dev/shm') ? '/dev/shm' : tmpdir()
const COPY_PREFIX = 'fetcha-pglite-'
const ownCopies = new Set<string>()
// A copy the test left open goes with its process: in /dev/shm it would hold 40 MB of memory.
process.once('exit', () => ownCopies.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Removes the copies of test processes that were killed before they could remove their own. */
export function removeOrphanedPgliteCopies(): void {
  for (const name of readdirSync(copiesRoot)) {
    const pid = Number(name.startsWith(COPY_PREFIX) ? name.slice(COPY_PREFIX.length).split('-')[0] : NaN)
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(copiesRoot, name), { recursive: true, force: true })
  }
}

/**
 * Opens a copy of `template`: in `into` (the test keeps that directory), or in a directory of its
 * own that goes when the database is closed.
 */
function openCopy(template: string, into?: string): PGlite {
  const dir = into ?? mkdtempSync(join(copiesRoot, `${COPY_PREFIX}${process.pid}-`))
  cpSync(template, dir, { recursive: true })
  const db = new PGlite(dir, embeddedDatabaseOptions())
  if (into) return db
  ownCopies.add(dir)
  const close = db.close.bind(db)
  db.close = async () => {
    try {
      await close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
      ownCopies.delete(dir)
    }
  }
  return db
}

/** A fresh, migrated embedded database. */
export async function freshPglite(): Promise<PGlite> {
  await preparePgliteTemplate()
  return openCopy(migratedPgliteTemplate)
}

/** A fresh embedded database with nothing in it yet (initdb's catalog only); in `dataDir` if given. */
export async function blankPglite(dataDir?: string): Promise<PGlite> {
  await preparePgliteTemplate()
  return openCopy(blankPgliteTemplate, dataDir)
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
