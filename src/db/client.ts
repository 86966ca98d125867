import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema/index.js'

export type Schema = typeof schema
/** The Drizzle database, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>

export interface DatabaseHandle {
  db: Database
  kind: 'postgres' | 'pglite'
  /** Round trip to the server; rejects when it is unreachable. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface PostgresOptions {
  url: string
  poolSize: number
  connectTimeoutSeconds: number
  statementTimeoutMs: number
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const client = postgres(options.url, {
    max: options.poolSize,
    // postgres.js waits 30 s by default for a server that accepted TCP but never answers.
    connect_timeout: options.connectTimeoutSeconds,
    idle_timeout: 30,
    onnotice: () => {},
    connection: {
      statement_timeout: options.statementTimeoutMs,
      application_name: 'fetcha-weather',
    },
  })
  const db = drizzlePostgres(client, { schema })
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await client`select 1`
    },
    close: () => client.end({ timeout: 5 }),
  }
}

/** Embedded PostgreSQL, in-process. */
export function openPglite(client: PGlite): DatabaseHandle {
  const db = drizzlePglite(client, { schema })
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`)
    },
    close: () => client.close(),
  }
}

/** The embedded database kept under DATA_DIR when no DATABASE_URL is set. */
export function embeddedDatabase(dataDir: string): PGlite {
  const dir = join(dataDir, 'pglite')
  mkdirSync(dir, { recursive: true })
  return new PGlite(dir)
}
