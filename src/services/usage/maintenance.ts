import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { createPartitions, createPartitionsAhead, defaultPartitionMonths, oldestKeptMonth, pruneUsage, type PruneResult } from './partitions.js'

export interface MaintenanceResult extends PruneResult {
  /** Partitions made: for months ahead, and for kept months whose rows the default partition caught. */
  created: string[]
}

/**
 * The usage log's upkeep, run by the service on a timer and by `npm run usage:prune`: the
 * partitions of the coming months, partitions for rows the default partition caught (they move
 * in), then the raw months retention no longer keeps.
 */
export function usageMaintenance(db: Database, clock: Clock, retentionMonths: number) {
  return async function run(): Promise<MaintenanceResult> {
    const now = clock.now()
    const created = await createPartitionsAhead(db, now)
    const oldestKept = oldestKeptMonth(now, retentionMonths)
    const strays = (await defaultPartitionMonths(db)).filter((month) => month >= oldestKept)
    created.push(...(await createPartitions(db, strays)))
    return { created, ...(await pruneUsage(db, now, retentionMonths)) }
  }
}
