import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import type { SQL } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Database } from './client.js'
import { selectRows } from './rows.js'

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url))

// Arbitrary but fixed: every instance of this service takes the same advisory lock.
export const MIGRATION_LOCK_ID = 7_305_118_201

/**
 * Applies pending migrations to a PostgreSQL server. Instances starting together serialise on a
 * session-level advisory lock, so only the first applies anything; the rest find nothing to do.
 */
export async function migratePostgresDatabase(url: string, connectTimeoutSeconds = 10, folder = migrationsFolder): Promise<void> {
  // One connection, so that the lock and every migration statement share a session.
  const client = postgres(url, { max: 1, connect_timeout: connectTimeoutSeconds, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`
    try {
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: folder })
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`
    }
  } finally {
    await client.end({ timeout: 5 })
  }
}

/** Applies pending migrations to an embedded database (a single process owns it, so no lock). */
export async function migratePgliteDatabase(client: PGlite, folder = migrationsFolder): Promise<void> {
  await migratePglite(drizzlePglite(client), { migrationsFolder: folder })
}

/**
 * Applies pending migrations inside a transaction the caller holds, with Drizzle's own migrator
 * (the same files, the same bookkeeping), so that they commit or roll back with the caller's
 * other changes. The migrator opens a transaction of its own; here that is the caller's.
 */
export async function migrateWithin(tx: Pick<Database, 'execute'>): Promise<void> {
  const session = {
    execute: (query: SQL) => tx.execute(query),
    all: (query: SQL) => selectRows(tx, query),
    transaction: <T>(body: (inner: typeof tx) => Promise<T>) => body(tx),
  } as unknown as PgSession
  await new PgDialect().migrate(readMigrationFiles({ migrationsFolder }), session, { migrationsFolder })
}
