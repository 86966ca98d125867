import { sql } from 'drizzle-orm'
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core'

/**
 * What each tier buys: seeded by a migration, edited by admins. A null monthly quota means
 * unlimited. A user's tier is read on each request, so an edit applies at the next one.
 */
export const tiers = pgTable(
  'tiers',
  {
    name: text('name').primaryKey(),
    monthlyQuota: integer('monthly_quota'),
    rateLimitPerHour: integer('rate_limit_per_hour').notNull(),
    maxApiKeys: integer('max_api_keys').notNull(),
  },
  (t) => [
    check('tiers_name_check', sql`${t.name} in ('free', 'pro', 'enterprise')`),
    check('tiers_monthly_quota_check', sql`${t.monthlyQuota} is null or ${t.monthlyQuota} >= 0`),
    check('tiers_rate_limit_check', sql`${t.rateLimitPerHour} > 0`),
    check('tiers_max_api_keys_check', sql`${t.maxApiKeys} >= 0`),
  ],
)

export type Tier = typeof tiers.$inferSelect
