import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createUsageReports, type UsageReports } from '../services/usage/reports.js'

declare module 'fastify' {
  interface FastifyInstance {
    usageReports: UsageReports
  }
}

async function usageReportsPlugin(app: FastifyInstance) {
  app.decorate('usageReports', createUsageReports({ db: app.db, clock: app.clock, retentionMonths: app.config.usageRetentionMonths }))
}

export default fp(usageReportsPlugin, { name: 'usage-reports', dependencies: ['database'] })
