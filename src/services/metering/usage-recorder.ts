import { DEADLOCK_DETECTED, errorCode, FOREIGN_KEY_VIOLATION } from '../../db/errors.js'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import type { UsageRow } from '../../db/schema/index.js'
import { LEASE_TTL_MS, type LeaseFlush, type QuotaLeases } from './quota-leases.js'
import { flushStatement, rowJson, rowsOfDeletedUsers } from './usage-batch.js'

const MAX_ATTEMPTS = 3

export interface UsageRecorderOptions {
  db: Database
  clock: Clock
  leases: QuotaLeases
  /** The most rows held in memory; past it, metered requests are refused rather than lost. */
  maxBuffered: number
  /** Told how many rows were dropped because their user no longer exists. */
  onDropped?: (count: number) => void
}

/**
 * Buffers usage rows and writes them in one statement per flush: the rows (idempotent by
 * request id), the monthly counters derived from the rows actually inserted, and the lease sizes.
 */
export function createUsageRecorder({ db, clock, leases, maxBuffered, onDropped }: UsageRecorderOptions) {
  /** Each row as its JSON text (see rowJson). */
  let buffer: string[] = []
  let flushing: Promise<void> | undefined

  function record(row: UsageRow): void {
    buffer.push(rowJson(row))
  }

  async function write(rows: string[], sizes: LeaseFlush[], existingUsersOnly: boolean): Promise<void> {
    const now = clock.now()
    const leaseExpiresAt = new Date(now.getTime() + LEASE_TTL_MS)
    await db.execute(flushStatement({ rows, sizes, instanceId: leases.instanceId, now, leaseExpiresAt, existingUsersOnly }))
  }

  /** Lease sizes of a failed flush, sent again with the next one (newer sizes win). */
  let unsentSizes: LeaseFlush[] = []

  function mergeSizes(older: LeaseFlush[], newer: LeaseFlush[]): LeaseFlush[] {
    const byKey = new Map(older.map((l) => [`${l.userId}:${l.month}`, l]))
    for (const l of newer) byKey.set(`${l.userId}:${l.month}`, l)
    return [...byKey.values()].sort((a, b) => a.userId - b.userId || a.month.localeCompare(b.month))
  }

  /** Writes everything buffered so far; concurrent calls share one flush. */
  function flush(): Promise<void> {
    flushing ??= leases
      .exclusive(async () => {
        // Rows and lease sizes are taken in one synchronous step, so they agree.
        const rows = buffer
        buffer = []
        const sizes = mergeSizes(unsentSizes, leases.takeFlush())
        unsentSizes = []
        if (rows.length === 0 && sizes.length === 0) return
        let existingUsersOnly = false
        for (let attempt = 1; ; attempt++) {
          try {
            await write(rows, sizes, existingUsersOnly)
            return
          } catch (error) {
            const code = errorCode(error)
            if (attempt < MAX_ATTEMPTS && code === DEADLOCK_DETECTED) continue
            // A user deleted since their request was answered: their rows have nowhere to go,
            // and must not block everyone else's.
            if (attempt < MAX_ATTEMPTS && code === FOREIGN_KEY_VIOLATION) {
              if (!existingUsersOnly) onDropped?.(await rowsOfDeletedUsers(db, rows))
              existingUsersOnly = true
              continue
            }
            buffer = rows.concat(buffer)
            unsentSizes = sizes
            throw error
          }
        }
      })
      .finally(() => {
        flushing = undefined
      })
    return flushing
  }

  /** Flushes until nothing is buffered: a flush already under way may have taken only part. */
  async function drain(): Promise<void> {
    do await flush()
    while (buffer.length > 0)
  }

  return {
    record,
    flush,
    drain,
    buffered: () => buffer.length,
    full: () => buffer.length >= maxBuffered,
  }
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>
