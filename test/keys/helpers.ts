import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import type { LightMyRequestResponse } from 'fastify'
import { json, request, type TestContext, type TestUser } from '../helper.js'
import { testDatabaseUrl } from '../setup/databases.js'

export interface KeyAnswer {
  response: LightMyRequestResponse
  body: any
}

/** Creates a key through the API; its value, when there is one, is a secret of the test. */
export async function createKey(ctx: TestContext, user: TestUser, body: Record<string, unknown> = { name: 'primary' }): Promise<KeyAnswer> {
  const response = await request(ctx, 'POST', '/api/keys', body, user.accessToken)
  const parsed = json(response)
  if (parsed.key_value) ctx.secrets.add(parsed.key_value)
  return { response, body: parsed }
}

export async function rotateKey(ctx: TestContext, user: TestUser, id: number): Promise<KeyAnswer> {
  const response = await request(ctx, 'POST', `/api/keys/${id}/rotate`, undefined, user.accessToken)
  const parsed = json(response)
  if (parsed.key_value) ctx.secrets.add(parsed.key_value)
  return { response, body: parsed }
}

/** The user's active keys as the API lists them (keys in their grace period included). */
export async function activeKeys(ctx: TestContext, user: TestUser): Promise<{ id: number; expires_at: string | null }[]> {
  return json(await request(ctx, 'GET', '/api/keys', undefined, user.accessToken)).api_keys
}

/** "201", "409 KEY_ROTATING", …: one answer as status and code. */
export function outcome({ response, body }: KeyAnswer): string {
  return body.code ? `${response.statusCode} ${body.code}` : String(response.statusCode)
}

/** How many answers had each outcome. */
export function tally(answers: KeyAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const answer of answers) counts[outcome(answer)] = (counts[outcome(answer)] ?? 0) + 1
  return counts
}

/**
 * On PostgreSQL, opens every connection of the pool before a race, so that the racing
 * transactions run side by side on separate connections rather than queueing behind connection
 * setup. PGlite has one connection: there the race is decided by the order of the statements.
 */
export async function openWholePool(ctx: TestContext): Promise<void> {
  if (!testDatabaseUrl) return
  await Promise.all(Array.from({ length: ctx.config.databasePoolSize }, () => ctx.app.db.execute(sql`select pg_sleep(0.05)`)))
}

/**
 * On PostgreSQL, watches the service's connections from outside while `race` runs and answers the
 * most transactions that were in flight at once, and how many of them were seen waiting for a
 * lock: proof that the race really ran side by side in the database. On PGlite, answers null.
 */
export async function watchTransactions<T>(ctx: TestContext, race: () => Promise<T>): Promise<{ result: T; inFlight: number; waiting: number } | { result: T; inFlight: null; waiting: null }> {
  if (!ctx.database.url) return { result: await race(), inFlight: null, waiting: null }
  const watcher = postgres(ctx.database.url, { max: 1, onnotice: () => {} })
  let inFlight = 0
  let waiting = 0
  let done = false
  const sampling = (async () => {
    while (!done) {
      const [row] = await watcher<{ busy: number; locked: number }[]>`
        select count(*) filter (where state in ('active', 'idle in transaction'))::int as busy,
               count(*) filter (where wait_event_type = 'Lock')::int as locked
        from pg_stat_activity where datname = current_database() and application_name = 'fetcha-weather'`
      inFlight = Math.max(inFlight, row?.busy ?? 0)
      waiting = Math.max(waiting, row?.locked ?? 0)
    }
  })()
  try {
    const result = await race()
    return { result, inFlight, waiting }
  } finally {
    done = true
    await sampling
    await watcher.end()
  }
}
