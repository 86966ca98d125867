import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createApiKeys, type ApiKeys } from '../services/api-keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeys
  }
}

async function apiKeysPlugin(app: FastifyInstance) {
  app.decorate(
    'apiKeys',
    createApiKeys({
      db: app.db,
      clock: app.clock,
      rotationGraceMs: app.config.keyRotationGraceMs,
      announce: app.changes.notify,
    }),
  )
}

export default fp(apiKeysPlugin, { name: 'api-keys', dependencies: ['database', 'change-feed'] })
