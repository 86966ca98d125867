import { inArray, sql } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { usageDaily } from '../../db/schema/index.js'

/**
 * Recomputes the daily rollups of these users (of everyone when none are given) from their raw
 * usage rows: for rows that arrived by another way than the metering flush, which keeps the
 * rollups itself (the adoption of an old database, tests that insert rows directly). Only use
 * while the raw rows are complete: a pruned month's rollups are the only record of it.
 */
export async function rebuildDailyRollups(db: Pick<Database, 'execute'>, userIds?: number[]): Promise<void> {
  const ofUsers = userIds ? sql`where ${inArray(sql`user_id`, userIds)}` : sql``
  await db.execute(sql`delete from ${usageDaily} ${userIds ? sql`where ${inArray(usageDaily.userId, userIds)}` : sql``}`)
  await db.execute(sql`
    insert into ${usageDaily} (user_id, day, endpoint, status_class, requests, total_response_time_ms, min_response_time_ms, max_response_time_ms)
    select user_id, ("timestamp" at time zone 'UTC')::date, endpoint, (status_code / 100)::smallint, count(*)::int,
      sum(response_time_ms), min(response_time_ms), max(response_time_ms)
    from usage ${ofUsers} group by 1, 2, 3, 4`)
}
