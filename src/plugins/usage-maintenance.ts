import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { HOUR } from '../clock.js'
import { counted } from '../text/plural.js'
import { usageMaintenance, type MaintenanceResult } from '../services/usage/maintenance.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Makes the coming months' usage partitions and prunes the expired ones, now. */
    maintainUsage(): Promise<MaintenanceResult>
  }
}

/** Hourly: far more often than months change, so a missed run (instance down) costs nothing. */
const MAINTENANCE_INTERVAL_MS = HOUR

async function usageMaintenancePlugin(app: FastifyInstance) {
  const run = usageMaintenance(app.db, app.clock, app.config.usageRetentionMonths)
  app.decorate('maintainUsage', run)

  const runLogged = async () => {
    try {
      const result = await run()
      if (result.created.length > 0) app.log.info({ months: result.created }, `usage partitions made for ${result.created.join(', ')}`)
      for (const { month, rows } of result.months) app.log.info({ month, rows }, `usage rows of ${month} pruned (${counted(rows, 'row')}); its daily rollups are kept`)
    } catch (error) {
      // Inserts never depend on this: rows of a month without a partition land in usage_default.
      app.log.warn({ err: { message: (error as Error).message } }, 'usage maintenance failed; it will run again within the hour')
    }
  }
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await runLogged()
    timer = setInterval(() => void runLogged(), MAINTENANCE_INTERVAL_MS)
    timer.unref()
  })
  app.addHook('onClose', async () => clearInterval(timer))
}

export default fp(usageMaintenancePlugin, { name: 'usage-maintenance', dependencies: ['database'] })
