import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { createPartitionsAhead, pruneUsage, type PruneResult } from './partitions.js'

export interface MaintenanceResult extends PruneResult {
  /** Partitions made for months ahead. */
  created: string[]
}

/**
 * The usage log's upkeep, run by the service on a timer and by `npm run usage:prune`: the
 * partitions of the coming months, then the raw months retention no longer keeps.
 */
export function usageMaintenance(db: Database, clock: Clock, retentionMonths: number) {
  return async function run(): Promise<MaintenanceResult> {
    const now = clock.now()
    const created = await createPartitionsAhead(db, now)
    return { created, ...(await pruneUsage(db, now, retentionMonths)) }
  }
}
