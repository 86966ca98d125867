import { sql } from 'drizzle-orm'
import type { TestContext } from '../helper.js'
import { eventually } from './eventually.js'

let probes = 0

/**
 * Waits until the app has heard every change notification sent so far: PostgreSQL delivers them
 * in commit order, so once a probe sent now has arrived, so has everything before it.
 */
export async function changesHeard(ctx: TestContext, boundMs = 2_000): Promise<void> {
  const id = `${process.pid}-${++probes}`
  let heard = false
  ctx.app.changes.on('probe', ([seen]) => {
    if (seen === id) heard = true
  })
  await ctx.app.db.execute(sql`select pg_notify('fetcha_cache', ${`probe:${id}`})`)
  const { value } = await eventually(async () => heard, (done) => done, boundMs)
  if (!value) throw new Error('the change feed did not deliver a probe')
}
