import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import stats from './stats.js'
import tiers from './tiers.js'
import users from './users.js'

/** `/api/admin`: accounts, tiers and service numbers, for users with the admin role only. */
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route below: a valid access token (else 401), then the admin role (else 403).
  app.addHook('onRequest', app.authenticate)
  app.addHook('onRequest', app.requireAdmin)
  await app.register(users)
  await app.register(tiers)
  await app.register(stats)
}

export default adminRoutes
