import { getTableName, sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { Database } from '../../db/client.js'
import { MIGRATION_LOCK_ID, migrateWithin, migrationsFolder } from '../../db/migrate.js'
import { selectRows } from '../../db/rows.js'
import { apiKeys, monthlyUsage, usage, users } from '../../db/schema/index.js'
import { continueIds } from './continue-ids.js'
import { copyKeys, copyUsers } from './copy-accounts.js'
import { rebuildDailyRollups } from '../usage/rollups.js'
import { copyMonthly, copyUsage } from './copy-usage.js'
import { detectDatabaseKind, type DatabaseKind } from './database-kind.js'
import type { Db } from './findings.js'
import { LEGACY_SCHEMA, LEGACY_TABLE_NAMES, type LegacyTable } from './legacy-tables.js'
import type { AdoptionOptions } from './options.js'
import type { Progress } from './progress.js'
import { reviewLegacy, reviewPasses, type Review } from './review.js'
import { seededTierLimits, tierLimits } from './tier-limits.js'

export type AdoptionOutcome =
  | Exclude<DatabaseKind, { kind: 'legacy' }>
  | { kind: 'dry-run'; review: Review; migrations: number }
  | { kind: 'stopped'; review: Review }
  | { kind: 'adopted'; review: Review; migrations: number; after: Record<LegacyTable, number>; nextIds: Record<string, number>; seconds: number }

export interface AdoptionDeps {
  now: Date
  progress: Progress
  /** How long to wait for the old service to let go of its tables. */
  lockTimeoutMs?: number
  /** Usage rows per statement (default USAGE_BATCH). */
  usageBatchRows?: number
}

/** Ends the transaction with a rollback while handing its outcome out. */
class Rollback extends Error {
  constructor(readonly outcome: AdoptionOutcome) {
    super('rolled back')
  }
}

const ours: Record<LegacyTable, Parameters<typeof getTableName>[0]> = { users, api_keys: apiKeys, usage, monthly_usage: monthlyUsage }

/** Settings of the adoption's transaction: no statement limit (tables may be large). */
async function unbounded(tx: Db, lockTimeoutMs: number): Promise<void> {
  await tx.execute(sql`set local statement_timeout = 0`)
  await tx.execute(sql.raw(`set local lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`))
}

/** Changes nothing: reads the old tables in a read-only snapshot and says what a run would do. */
async function dryRun(db: Database, options: AdoptionOptions, deps: AdoptionDeps): Promise<AdoptionOutcome> {
  return db.transaction(async (tx) => {
    await unbounded(tx, deps.lockTimeoutMs ?? 10_000)
    const kind = await detectDatabaseKind(tx)
    if (kind.kind !== 'legacy') return kind
    deps.progress.step('reading the old tables')
    const maxKeysOfTier = await seededTierLimits()
    const review = await reviewLegacy(tx, 'public', options.resolutions, { now: deps.now, maxKeysOfTier })
    return { kind: 'dry-run', review, migrations: readMigrationFiles({ migrationsFolder }).length }
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' })
}

/**
 * One transaction: the old tables move aside, the migrations create ours, every row is reviewed
 * and copied, ids continue, the old tables go. Any conflict or failure rolls it all back, and
 * the old service finds its database as it left it. Every migration in the folder is applied
 * before the copy, which writes the schema as src/db/schema declares it (the column lists are
 * built from it), so migrations added later need no change here unless they change meanings.
 */
async function realRun(db: Database, options: AdoptionOptions, deps: AdoptionDeps): Promise<AdoptionOutcome> {
  const { progress, now } = deps
  try {
    return await db.transaction(async (tx) => {
      await unbounded(tx, deps.lockTimeoutMs ?? 10_000)
      // Instances of this service starting meanwhile wait here rather than migrate half a database.
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`)
      const kind = await detectDatabaseKind(tx)
      if (kind.kind !== 'legacy') return kind
      await tx.execute(sql.raw(`lock table ${LEGACY_TABLE_NAMES.map((t) => `public.${t}`).join(', ')} in access exclusive mode`))

      progress.step(`moving the old tables into schema ${LEGACY_SCHEMA}`)
      await tx.execute(sql.raw(`create schema ${LEGACY_SCHEMA}`))
      for (const table of LEGACY_TABLE_NAMES) await tx.execute(sql.raw(`alter table public.${table} set schema ${LEGACY_SCHEMA}`))
      const migrations = readMigrationFiles({ migrationsFolder }).length
      progress.step(`applying the ${migrations} migrations in drizzle/`)
      await migrateWithin(tx)

      progress.step('reviewing the old rows')
      const review = await reviewLegacy(tx, LEGACY_SCHEMA, options.resolutions, { now, maxKeysOfTier: await tierLimits(tx) })
      if (!reviewPasses(review)) throw new Rollback({ kind: 'stopped', review })

      progress.step(`users: ${review.counts.users.rows.toLocaleString('en-US')} rows`)
      await copyUsers(tx, review.plan.users, now)
      progress.step(`api_keys: ${review.counts.api_keys.rows.toLocaleString('en-US')} rows`)
      await copyKeys(tx, review.plan.keys, now)
      await copyUsage(tx, review.plan.usage, options.resolutions, progress, deps.usageBatchRows)
      progress.step('usage_daily: rolling up the usage rows per day')
      await rebuildDailyRollups(tx)
      progress.step(`monthly_usage: ${review.counts.monthly_usage.rows.toLocaleString('en-US')} rows`)
      await copyMonthly(tx, options.resolutions, now)
      const nextIds = await continueIds(tx)

      progress.step(`dropping schema ${LEGACY_SCHEMA}: key_value, the tokens and every old index go with it`)
      await tx.execute(sql.raw(`drop schema ${LEGACY_SCHEMA} cascade`))
      const after = {} as Record<LegacyTable, number>
      for (const table of LEGACY_TABLE_NAMES) {
        await tx.execute(sql`analyze ${ours[table]}`)
        const [row] = await selectRows<{ n: number }>(tx, sql`select count(*)::int as n from ${ours[table]}`)
        after[table] = row?.n ?? 0
      }
      progress.step('committing')
      return { kind: 'adopted', review, migrations, after, nextIds, seconds: 0 }
    })
  } catch (error) {
    if (error instanceof Rollback) return error.outcome
    throw error
  }
}

/** Takes over a database of the previous service in place (or, with dryRun, says how it would). */
export async function adoptDatabase(db: Database, options: AdoptionOptions, deps: AdoptionDeps): Promise<AdoptionOutcome> {
  const started = Date.now()
  const outcome = options.dryRun ? await dryRun(db, options, deps) : await realRun(db, options, deps)
  return outcome.kind === 'adopted' ? { ...outcome, seconds: (Date.now() - started) / 1000 } : outcome
}
