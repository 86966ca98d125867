/**
 * `npm run db:migrate`: applies pending migrations in drizzle/ to DATABASE_URL, or to the
 * embedded database under DATA_DIR when DATABASE_URL is unset. Safe to run again: applied
 * migrations are skipped, and concurrent runs serialise on an advisory lock.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { loadConfig } from '../src/config.js'
import { migratePgliteDatabase, migratePostgresDatabase } from '../src/db/migrate.js'

const config = loadConfig()
const started = Date.now()
if (config.databaseUrl) {
  await migratePostgresDatabase(config.databaseUrl, config.databaseConnectTimeoutSeconds)
  console.log(`migrations applied to PostgreSQL in ${Date.now() - started} ms`)
} else {
  const dir = join(config.dataDir, 'pglite')
  mkdirSync(dir, { recursive: true })
  const db = new PGlite(dir)
  await migratePgliteDatabase(db)
  await db.close()
  console.log(`migrations applied to the embedded database at ${dir} in ${Date.now() - started} ms`)
}
