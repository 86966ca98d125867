/**
 * `npm run db:migrate`: applies pending migrations in drizzle/ to DATABASE_URL, or to the
 * embedded database under DATA_DIR when DATABASE_URL is unset. Safe to run again: applied
 * migrations are skipped, and concurrent runs serialise on an advisory lock.
 */
import { loadConfig } from '../src/config.js'
import { embeddedDatabase } from '../src/db/client.js'
import { migratePgliteDatabase, migratePostgresDatabase } from '../src/db/migrate.js'
import { exitOnKnownFailure } from './context.js'

const config = (() => {
  try {
    return loadConfig()
  } catch (error) {
    return exitOnKnownFailure(error)
  }
})()
const started = Date.now()
if (config.databaseUrl) {
  await migratePostgresDatabase(config.databaseUrl, config.databaseConnectTimeoutSeconds)
  console.log(`migrations applied to PostgreSQL in ${Date.now() - started} ms`)
} else {
  const db = (() => {
    try {
      return embeddedDatabase(config.dataDir)
    } catch (error) {
      return exitOnKnownFailure(error)
    }
  })()
  await migratePgliteDatabase(db)
  await db.close()
  console.log(`migrations applied to the embedded database under ${config.dataDir} in ${Date.now() - started} ms`)
}
