import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import type { Database } from '../../db/client.js'
import { migratePgliteDatabase } from '../../db/migrate.js'
import { tiers } from '../../db/schema/index.js'

type Limits = (tier: string) => number | undefined

/** The active-key limit of each tier, as the database's tiers table says. */
export async function tierLimits(db: Pick<Database, 'select'>): Promise<Limits> {
  const rows = await db.select({ name: tiers.name, max: tiers.maxApiKeys }).from(tiers)
  const byName = new Map(rows.map((r) => [r.name as string, r.max]))
  return (tier) => byName.get(tier)
}

/**
 * The limits the migrations will seed, for a dry run that must not create the tiers table in
 * the old database: the same migrations, applied to a scratch embedded database.
 */
export async function seededTierLimits(): Promise<Limits> {
  const scratch = new PGlite()
  try {
    await migratePgliteDatabase(scratch)
    const db = drizzle(scratch)
    return await tierLimits(db as unknown as Pick<Database, 'select'>)
  } finally {
    await scratch.close()
  }
}
