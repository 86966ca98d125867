import type { SQL } from 'drizzle-orm'
import type { Database } from './client.js'

/**
 * Runs a raw statement and answers its rows, whichever driver is underneath: postgres.js
 * answers the rows themselves, PGlite an object holding them.
 */
export async function selectRows<T>(db: Pick<Database, 'execute'>, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query)
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}
