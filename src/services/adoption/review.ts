import { sql } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { utcMonth } from '../metering/months.js'
import { legacyTable, type Conflict, type Db } from './findings.js'
import { LEGACY_TABLE_NAMES, type LegacyTable } from './legacy-tables.js'
import type { Resolutions } from './options.js'
import { reviewKeys, type KeyPlan } from './review-keys.js'
import { reviewMonthly } from './review-monthly.js'
import { reviewUsage, type UsagePlan } from './review-usage.js'
import { reviewUsers, type UserPlan } from './review-users.js'

export interface TableCount {
  rows: number
  /** Rows that will be in our table afterwards: all of them, unless the operator left some behind. */
  comeAcross: number
}

/** Everything the adoption found in the old tables, and what the copy will do with it. */
export interface Review {
  counts: Record<LegacyTable, TableCount>
  conflicts: Conflict[]
  optionProblems: string[]
  notes: Record<LegacyTable, string[]>
  warnings: string[]
  plan: { users: UserPlan[]; keys: KeyPlan[]; usage: UsagePlan }
}

export interface ReviewContext {
  now: Date
  /** The active-key limit of each of our tiers. */
  maxKeysOfTier: (tier: string) => number | undefined
}

/** Reads the old tables (in `schema`) and decides, row by row, whether each can come across. */
export async function reviewLegacy(db: Db, schema: string, resolutions: Resolutions, context: ReviewContext): Promise<Review> {
  const users = await reviewUsers(db, schema, resolutions)
  const keys = await reviewKeys(db, schema, resolutions, users.plan, context.maxKeysOfTier)
  const usage = await reviewUsage(db, schema, resolutions)
  const monthly = await reviewMonthly(db, schema, resolutions, utcMonth(context.now))
  const reviews = { users, api_keys: keys, usage, monthly_usage: monthly }

  const counts = {} as Record<LegacyTable, TableCount>
  for (const table of LEGACY_TABLE_NAMES) {
    const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from ${legacyTable(schema, table)}`)
    const rows = row?.n ?? 0
    counts[table] = { rows, comeAcross: rows - reviews[table].leftBehind }
  }
  const all = Object.values(reviews)
  return {
    counts,
    conflicts: all.flatMap((r) => r.conflicts),
    optionProblems: all.flatMap((r) => r.optionProblems),
    notes: { users: users.notes, api_keys: keys.notes, usage: usage.notes, monthly_usage: monthly.notes },
    warnings: all.flatMap((r) => r.warnings),
    plan: { users: users.plan, keys: keys.plan, usage: usage.plan },
  }
}

/** Whether the review lets the adoption go ahead. */
export function reviewPasses(review: Review): boolean {
  return review.conflicts.length === 0 && review.optionProblems.length === 0
}
