import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAdmin, type Admin } from '../services/admin.js'

declare module 'fastify' {
  interface FastifyInstance {
    admin: Admin
  }
}

async function adminPlugin(app: FastifyInstance) {
  app.decorate('admin', createAdmin({ db: app.db, clock: app.clock, sessions: app.sessions, announce: app.changes.notify }))
}

export default fp(adminPlugin, { name: 'admin', dependencies: ['database', 'accounts', 'change-feed'] })
