import { sql } from 'drizzle-orm'
import {
  bigint, check, date, doublePrecision, index, integer, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core'
import { apiKeys } from './api-keys.js'
import { users } from './users.js'

/**
 * One row per counted request (see the metering rules); written in batches. The table is
 * partitioned by month of `timestamp` (migration 0009; partitions are made by
 * services/usage/partitions.ts), so every key includes the timestamp and a whole month is
 * dropped at once when retention passes it.
 */
export const usage = pgTable(
  'usage',
  {
    id: bigint('id', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    // Makes a retried batch insert idempotent.
    requestId: uuid('request_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    apiKeyId: integer('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    endpoint: text('endpoint').notNull(),
    location: text('location'),
    state: text('state'),
    dateFrom: date('date_from', { mode: 'string' }),
    dateTo: date('date_to', { mode: 'string' }),
    responseTimeMs: doublePrecision('response_time_ms').notNull(),
    statusCode: smallint('status_code').notNull(),
    errorMessage: text('error_message'),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'usage_pkey', columns: [t.id, t.timestamp] }),
    // A request's row is stored once: a retried batch repeats its id and its time.
    uniqueIndex('usage_request_id_timestamp_key').on(t.requestId, t.timestamp),
    index('usage_user_timestamp_idx').on(t.userId, t.timestamp.desc()),
    index('usage_api_key_idx').on(t.apiKeyId),
  ],
)

/**
 * The usage rows summed per user, UTC day, endpoint and status class (2 for 2xx, 4 for 4xx…),
 * written by the same statement that writes the rows, so it is exact. The reports read it instead
 * of the raw rows, and it outlives them: retention drops raw months, never these.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    endpoint: text('endpoint').notNull(),
    statusClass: smallint('status_class').notNull(),
    requests: integer('requests').notNull(),
    totalResponseTimeMs: doublePrecision('total_response_time_ms').notNull(),
    minResponseTimeMs: doublePrecision('min_response_time_ms').notNull(),
    maxResponseTimeMs: doublePrecision('max_response_time_ms').notNull(),
  },
  (t) => [primaryKey({ name: 'usage_daily_pkey', columns: [t.userId, t.day, t.endpoint, t.statusClass] })],
)

/** Months whose raw usage rows retention has dropped (their rollups remain). */
export const prunedUsageMonths = pgTable('pruned_usage_months', {
  month: text('month').primaryKey(),
  rows: bigint('rows', { mode: 'number' }).notNull(),
  prunedAt: timestamp('pruned_at', { withTimezone: true }).notNull(),
})

/** Counters per user and UTC month, kept equal to the aggregate of `usage` rows. */
export const monthlyUsage = pgTable(
  'monthly_usage',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    totalRequests: integer('total_requests').notNull().default(0),
    successfulRequests: integer('successful_requests').notNull().default(0),
    failedRequests: integer('failed_requests').notNull().default(0),
    totalResponseTimeMs: doublePrecision('total_response_time_ms').notNull().default(0),
    lastUpdated: timestamp('last_updated', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('monthly_usage_user_month_key').on(t.userId, t.month),
    check('monthly_usage_month_check', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
)

/**
 * Blocks of a user's monthly quota held by one instance. The quota decision counts
 * `monthly_usage.total_requests` plus every live lease, so instances never overshoot together;
 * a crashed instance's lease only withholds its slots until it expires.
 */
export const quotaLeases = pgTable(
  'quota_leases',
  {
    instanceId: uuid('instance_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    granted: integer('granted').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'quota_leases_pkey', columns: [t.instanceId, t.userId, t.month] }),
    index('quota_leases_user_month_idx').on(t.userId, t.month),
    check('quota_leases_granted_check', sql`${t.granted} >= 0`),
  ],
)

export type UsageRow = typeof usage.$inferInsert
