/**
 * `npm run usage:prune`: the usage log's upkeep, as the service does it every hour. Makes the
 * partitions of this month and the next three (and of kept months whose rows the default
 * partition caught), then drops the raw months older than USAGE_RETENTION_MONTHS. Their daily
 * rollups and monthly counters stay. Exits 0 when done, 1 when the database cannot be opened.
 */
import { systemClock } from '../src/clock.js'
import { usageMaintenance } from '../src/services/usage/maintenance.js'
import { counted } from '../src/text/plural.js'
import { openScriptContext } from './context.js'

const ctx = await openScriptContext()
try {
  const retention = ctx.config.usageRetentionMonths
  const result = await usageMaintenance(ctx.database.db, systemClock, retention)()
  console.log(result.created.length > 0 ? `partitions made: ${result.created.join(', ')}` : 'partitions: every month up to three ahead already has one')
  if (result.months.length === 0) console.log(`nothing to prune: raw usage rows are kept from ${result.oldestKept} on (${retention} months)`)
  for (const { month, rows } of result.months) console.log(`pruned ${month}: ${counted(rows, 'row')} (its daily rollups are kept)`)
} finally {
  await ctx.close()
}
