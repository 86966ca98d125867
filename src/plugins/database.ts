import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { Database, DatabaseHandle } from '../db/client.js'
import { openConfiguredDatabase, type OpenOptions } from '../db/open.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    database: DatabaseHandle
  }
}

export interface DatabasePluginOptions extends OpenOptions {
  config: Config
}

/** Owns the database client: the only place that knows which driver is behind `app.db`. */
async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions) {
  const handle = await openConfiguredDatabase(options.config, options)
  app.decorate('database', handle)
  app.decorate('db', handle.db)
  // Registered first, so its onClose runs last: every other plugin flushes before the pool goes.
  app.addHook('onClose', async () => {
    await handle.close()
  })
}

export default fp(databasePlugin, { name: 'database' })
