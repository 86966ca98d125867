import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { embeddedDatabase, openPglite, openPostgres, type DatabaseHandle } from '../../src/db/client.js'
import { migratePgliteDatabase, migratePostgresDatabase } from '../../src/db/migrate.js'

export type DatabaseKind = 'postgres' | 'pglite'

/** A migrated database of its own for one benchmark run, and how the service reaches it. */
export interface BenchDatabase {
  kind: DatabaseKind
  /** Environment that points the service at it. */
  env: Record<string, string>
  /** Opens a client for seeding and counting; not while the service holds an embedded database. */
  open(): Promise<DatabaseHandle>
  drop(): Promise<void>
}

export async function createBenchDatabase(kind: DatabaseKind, adminUrl: string): Promise<BenchDatabase> {
  if (kind === 'postgres') {
    const name = `fetcha_bench_${process.pid}_${Date.now()}`
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    await migratePostgresDatabase(url.toString())
    return {
      kind,
      env: { DATABASE_URL: url.toString() },
      open: async () => openPostgres({ url: url.toString(), poolSize: 4, connectTimeoutSeconds: 5, statementTimeoutMs: 60_000 }),
      drop: async () => {
        await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
      },
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-bench-'))
  const client = embeddedDatabase(dataDir)
  await migratePgliteDatabase(client)
  await client.close()
  return {
    kind,
    env: { DATA_DIR: dataDir },
    open: async () => openPglite(embeddedDatabase(dataDir)),
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  }
}
