import type { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { embeddedDatabase, openPglite, openPostgres, type Database, type DatabaseHandle } from '../db/client.js'
import { migratePgliteDatabase, migratePostgresDatabase } from '../db/migrate.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    database: DatabaseHandle
  }
}

export interface DatabasePluginOptions {
  config: Config
  /** An embedded database to use instead of the configured one (tests load a migrated copy). */
  pglite?: PGlite
  /** Apply pending migrations before serving (the default). */
  migrate?: boolean
}

async function openConfigured(options: DatabasePluginOptions): Promise<DatabaseHandle> {
  const { config } = options
  const migrate = options.migrate ?? true
  if (options.pglite) {
    if (migrate) await migratePgliteDatabase(options.pglite)
    return openPglite(options.pglite)
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

/** Owns the database client: the only place that knows which driver is behind `app.db`. */
async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions) {
  const handle = await openConfigured(options)
  app.decorate('database', handle)
  app.decorate('db', handle.db)
  // Registered first, so its onClose runs last: every other plugin flushes before the pool goes.
  app.addHook('onClose', async () => {
    await handle.close()
  })
}

export default fp(databasePlugin, { name: 'database' })
