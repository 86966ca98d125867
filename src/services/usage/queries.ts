import { and, asc, desc, eq, gt, gte, lt, lte, or, sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Database } from '../../db/client.js'
import { monthlyUsage, tiers, usage, usageDaily, users } from '../../db/schema/index.js'
import type { RowCursor } from './cursor.js'
import type { Period } from './periods.js'

/**
 * The SQL behind the usage reports. Aggregates read the daily rollups (usage_daily) through their
 * primary key; the request list and the export read raw rows through the index on
 * (user_id, timestamp). Results are cast in SQL so that both drivers answer plain numbers.
 * Builders, not results: tests EXPLAIN the same statements.
 */


/** Milliseconds to 2 decimals; 0 when there is nothing to aggregate. */
const ms = (aggregate: SQL) => sql<number>`coalesce(round((${aggregate})::numeric, 2), 0)::float8`
/** The UTC day a period bound falls on (periods start and end at UTC midnight). */
const isoDay = (instant: Date) => instant.toISOString().slice(0, 10)
const utcInstant = sql<string>`to_char(${usage.timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
// The index keeps timestamps DESC NULLS LAST. A plain DESC means NULLS FIRST and ASC means NULLS
// LAST, neither of which the planner matches to it (it does not use NOT NULL to drop the
// difference), so the orders are spelled out: forwards newest first, backwards oldest first.
const newestFirst = [sql`${usage.timestamp} desc nulls last`, desc(usage.id)]
const oldestFirst = [sql`${usage.timestamp} asc nulls first`, asc(usage.id)]

export function usageQueries(db: Database) {
  const ofUserIn = (userId: number, period: Period) =>
    and(eq(usage.userId, userId), gte(usage.timestamp, period.start), lt(usage.timestamp, period.end))

  /** The month's counters and the user's tier, read together so a tier edit shows at once. */
  const monthly = (userId: number | Placeholder, month: string | Placeholder) =>
    db
      .select({
        tier: tiers.name,
        quotaLimit: tiers.monthlyQuota,
        totalRequests: sql<number>`coalesce(${monthlyUsage.totalRequests}, 0)::int`,
        successfulRequests: sql<number>`coalesce(${monthlyUsage.successfulRequests}, 0)::int`,
        failedRequests: sql<number>`coalesce(${monthlyUsage.failedRequests}, 0)::int`,
        totalResponseTimeMs: ms(sql`${monthlyUsage.totalResponseTimeMs}`),
        averageResponseTimeMs: ms(sql`${monthlyUsage.totalResponseTimeMs} / nullif(${monthlyUsage.totalRequests}, 0)`),
        lastUpdated: monthlyUsage.lastUpdated,
      })
      .from(users)
      .innerJoin(tiers, eq(tiers.name, users.tier))
      .leftJoin(monthlyUsage, and(eq(monthlyUsage.userId, users.id), eq(monthlyUsage.month, month)))
      .where(eq(users.id, userId))

  /** What the recent list and the export show of each request. */
  const requestColumns = {
    id: usage.id,
    endpoint: usage.endpoint,
    location: usage.location,
    state: usage.state,
    dateFrom: usage.dateFrom,
    dateTo: usage.dateTo,
    statusCode: usage.statusCode,
    responseTimeMs: usage.responseTimeMs,
    errorMessage: usage.errorMessage,
    timestamp: usage.timestamp,
    apiKeyId: usage.apiKeyId,
  }

  /** Rows strictly after `cursor` in the given order (keyset paging: no OFFSET). */
  const beyond = (cursor: RowCursor | undefined, direction: 'older' | 'newer') => {
    if (!cursor) return undefined
    const at = sql`${cursor.timestamp}::timestamptz`
    return direction === 'older'
      ? and(lte(usage.timestamp, at), or(lt(usage.timestamp, at), lt(usage.id, cursor.id)))
      : and(gte(usage.timestamp, at), or(gt(usage.timestamp, at), gt(usage.id, cursor.id)))
  }

  const recent = (userId: number, limit: number, before?: RowCursor) =>
    db
      .select({ ...requestColumns, cursor: utcInstant })
      .from(usage)
      .where(and(eq(usage.userId, userId), beyond(before, 'older')))
      .orderBy(...newestFirst)
      .limit(limit)

  // The aggregate reports read the daily rollups: a year of a heavy user is a few thousand rows.
  const ofUserOnDays = (userId: number, period: Period) =>
    and(eq(usageDaily.userId, userId), gte(usageDaily.day, isoDay(period.start)), lt(usageDaily.day, isoDay(period.end)))
  const requests = sql<number>`coalesce(sum(${usageDaily.requests}), 0)::int`
  const requestsSucceeded = sql<number>`coalesce(sum(${usageDaily.requests}) filter (where ${usageDaily.statusClass} = 2), 0)::int`
  const averageMs = ms(sql`sum(${usageDaily.totalResponseTimeMs}) / nullif(sum(${usageDaily.requests}), 0)`)

  const stats = (userId: number, period: Period) =>
    db
      .select({
        totalRequests: requests,
        successfulRequests: requestsSucceeded,
        failedRequests: sql<number>`coalesce(sum(${usageDaily.requests}) filter (where ${usageDaily.statusClass} <> 2), 0)::int`,
        avgResponseTime: averageMs,
        minResponseTime: ms(sql`min(${usageDaily.minResponseTimeMs})`),
        maxResponseTime: ms(sql`max(${usageDaily.maxResponseTimeMs})`),
        successRate: sql<number>`coalesce(round(100.0 * sum(${usageDaily.requests}) filter (where ${usageDaily.statusClass} = 2) / nullif(sum(${usageDaily.requests}), 0), 2), 0)::float8`,
      })
      .from(usageDaily)
      .where(ofUserOnDays(userId, period))

  const breakdown = (userId: number, period: Period) =>
    db
      .select({ endpoint: usageDaily.endpoint, requestCount: requests, successfulCount: requestsSucceeded, avgResponseTime: averageMs })
      .from(usageDaily)
      .where(ofUserOnDays(userId, period))
      .groupBy(usageDaily.endpoint)
      .orderBy(sql`sum(${usageDaily.requests}) desc`, asc(usageDaily.endpoint))

  const daily = (userId: number, period: Period) =>
    db
      .select({ date: sql<string>`to_char(${usageDaily.day}, 'YYYY-MM-DD')`, requestCount: requests, successfulCount: requestsSucceeded, avgResponseTime: averageMs })
      .from(usageDaily)
      .where(ofUserOnDays(userId, period))
      .groupBy(usageDaily.day)
      .orderBy(usageDaily.day)

  /** How many rows the export of the period holds: summed from the rollups, which count every row. */
  const exportSize = (userId: number, period: Period) =>
    db.select({ rows: sql<number>`coalesce(sum(${usageDaily.requests}), 0)::bigint`.mapWith(Number) }).from(usageDaily).where(ofUserOnDays(userId, period))

  /** One page of the export, oldest first, after `cursor` (keyset paging: no OFFSET). */
  const exportPage = (userId: number, period: Period, after: RowCursor | undefined, pageSize: number) =>
    db
      .select({ ...requestColumns, cursor: utcInstant, ipAddress: usage.ipAddress, userAgent: usage.userAgent })
      .from(usage)
      .where(and(ofUserIn(userId, period), beyond(after, 'newer')))
      .orderBy(...oldestFirst)
      .limit(pageSize)

  // The dashboard polls this one: prepared once, so that each read skips the planning.
  const monthlyStatement = monthly(sql.placeholder('userId'), sql.placeholder('month')).prepare('usage_monthly')
  const readMonthly = (userId: number, month: string) => monthlyStatement.execute({ userId, month })

  return { monthly, readMonthly, recent, stats, breakdown, daily, exportSize, exportPage }
}

export type UsageQueries = ReturnType<typeof usageQueries>
export type ExportRow = Awaited<ReturnType<ReturnType<UsageQueries['exportPage']>['execute']>>[number]
