import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import type { Test } from 'tap'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import type { Database } from '../../src/db/client.js'
import * as schema from '../../src/db/schema/index.js'
import { adminClient, blankPglite, testDatabaseUrl, urlFor } from '../setup/databases.js'

/** The production schema of the previous (Flask) service. */
export const LEGACY_SCHEMA_SQL = readFileSync(new URL('../fixtures/legacy/flask-schema.sql', import.meta.url), 'utf8')

/**
 * A database of the kind the test run uses (PostgreSQL with TEST_DATABASE_URL, else PGlite),
 * made for one test and removed after it. Raw SQL goes through `exec` and `rows`; `db` is the
 * Drizzle handle the adoption takes.
 */
export interface ScratchDatabase {
  kind: 'postgres' | 'pglite'
  db: Database
  /** What the app is built on afterwards. */
  target: { url?: string; pglite?: PGlite }
  exec(text: string): Promise<void>
  rows<T>(text: string, params?: unknown[]): Promise<T[]>
  /** Lets go of the database, so that another process can open it (an embedded one allows one). */
  release(): Promise<void>
}

let made = 0

/** `dataDir`: on PGlite, a database kept in that directory (as DATA_DIR/pglite of the service). */
export async function scratchDatabase(t: Test, { dataDir }: { dataDir?: string } = {}): Promise<ScratchDatabase> {
  if (!testDatabaseUrl) {
    const pglite = await blankPglite(dataDir)
    // Raw SQL opens a database kept in a directory again after a release (another process used it).
    let current = pglite
    const open = () => (current.closed && dataDir ? (current = new PGlite(dataDir)) : current)
    const release = async () => {
      if (!current.closed) await current.close()
    }
    t.teardown(release)
    return {
      kind: 'pglite',
      db: drizzlePglite(pglite, { schema }) as unknown as Database,
      target: { pglite },
      exec: async (text) => void (await open().exec(text)),
      rows: async <T>(text: string, params: unknown[] = []) => (await open().query<T>(text, params)).rows,
      release,
    }
  }
  // Named as test/setup names per-file databases, so a crashed run's leftovers are dropped later.
  const name = `fetcha_test_${Math.floor(Date.now() / 1000)}_${process.pid}_adopt${made++}`
  const admin = adminClient()
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = urlFor(name)
  const client = postgres(url, { max: 1, onnotice: () => {}, fetch_types: false })
  t.teardown(async () => {
    await client.end({ timeout: 5 })
    const cleanup = adminClient()
    await cleanup.unsafe(`drop database if exists ${name} with (force)`)
    await cleanup.end()
  })
  return {
    kind: 'postgres',
    db: drizzlePostgres(client, { schema }) as unknown as Database,
    target: { url },
    exec: async (text) => void (await client.unsafe(text)),
    rows: async <T>(text: string, params: unknown[] = []) => [...(await client.unsafe(text, params as postgres.ParameterOrJSON<never>[]))] as T[],
    release: async () => {},
  }
}

/** A scratch database holding the old service's schema, no rows yet. */
export async function legacyDatabase(t: Test, options: { dataDir?: string } = {}): Promise<ScratchDatabase> {
  const database = await scratchDatabase(t, options)
  await database.exec(LEGACY_SCHEMA_SQL)
  return database
}
