import type { PGlite } from '@electric-sql/pglite'
import type { Config } from '../config.js'
import { embeddedDatabase, openPglite, openPostgres, type DatabaseHandle } from './client.js'
import { migratePgliteDatabase, migratePostgresDatabase } from './migrate.js'

export interface OpenOptions {
  /**
   * An embedded database to use instead of the configured one (tests load a migrated copy). Its
   * owner closes it: closing the app leaves it open, so several apps can share it.
   */
  pglite?: PGlite
  /** Apply pending migrations first (the default). */
  migrate?: boolean
}

/** Opens the database the config names (migrated first, unless told not to). */
export async function openConfiguredDatabase(config: Config, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const migrate = options.migrate ?? true
  if (options.pglite) {
    if (migrate) await migratePgliteDatabase(options.pglite)
    return openPglite(options.pglite, { owned: false })
  }
  if (config.databaseUrl) {
    if (migrate) await migratePostgresDatabase(config.databaseUrl, config.databaseConnectTimeoutSeconds)
    return openPostgres({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    })
  }
  const instance = embeddedDatabase(config.dataDir)
  if (migrate) await migratePgliteDatabase(instance)
  return openPglite(instance)
}

