import { sql } from 'drizzle-orm'
import type { Clock } from '../clock.js'
import type { Database } from '../db/client.js'

/**
 * Keeps `api_keys.last_used` current without a write per request: uses are remembered in
 * memory and written in one statement per interval (and at shutdown).
 */
export function createKeyUsageTracker({ db, clock }: { db: Database; clock: Clock }) {
  let pending = new Map<number, Date>()

  function touch(keyId: number): void {
    pending.set(keyId, clock.now())
  }

  async function flush(): Promise<void> {
    if (pending.size === 0) return
    const batch = pending
    pending = new Map()
    const rows = sql.join(
      [...batch].map(([id, at]) => sql`(${id}::integer, ${at.toISOString()}::timestamptz)`),
      sql`, `,
    )
    try {
      await db.execute(sql`
        update api_keys set last_used = v.used_at
        from (values ${rows}) as v(id, used_at)
        where api_keys.id = v.id and (api_keys.last_used is null or api_keys.last_used < v.used_at)`)
    } catch (error) {
      // Keep what failed for the next attempt, unless a newer use replaced it meanwhile.
      for (const [id, at] of batch) if (!pending.has(id)) pending.set(id, at)
      throw error
    }
  }

  return { touch, flush, pendingCount: () => pending.size }
}

export type KeyUsageTracker = ReturnType<typeof createKeyUsageTracker>
