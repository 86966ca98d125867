import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { apiError } from '../../errors.js'
import { csvLine } from './csv.js'
import { oldestKeptMonth, prunedAmong } from './partitions.js'
import { monthPeriod, resolveDateSpan, resolveMonth, type Period } from './periods.js'
import type { RowCursor } from './cursor.js'
import { usageQueries, type ExportRow } from './queries.js'

/** The most rows one export holds; a longer month is cut there and says so. */
export const EXPORT_MAX_ROWS = 100_000
/** Rows fetched per query while an export streams: memory stays flat whatever the month holds. */
export const EXPORT_PAGE_SIZE = 1_000

export const EXPORT_COLUMNS = [
  'id', 'timestamp', 'endpoint', 'location', 'state', 'date_from', 'date_to', 'status_code',
  'response_time_ms', 'error_message', 'api_key_id', 'ip_address', 'user_agent',
] as const

function exportLine(row: ExportRow): string {
  return csvLine([
    row.id, row.timestamp.toISOString(), row.endpoint, row.location, row.state, row.dateFrom, row.dateTo, row.statusCode,
    row.responseTimeMs, row.errorMessage, row.apiKeyId, row.ipAddress, row.userAgent,
  ])
}

export interface UsageReportDeps {
  db: Database
  clock: Clock
  /** USAGE_RETENTION_MONTHS: named when an export asks for a pruned month. */
  retentionMonths: number
  exportMaxRows?: number
  exportPageSize?: number
}

/** What a customer reads about their own metered requests: counters, quota, history, export. */
export function createUsageReports({ db, clock, retentionMonths, exportMaxRows = EXPORT_MAX_ROWS, exportPageSize = EXPORT_PAGE_SIZE }: UsageReportDeps) {
  const queries = usageQueries(db)

  /** The month's counters against the quota of the user's tier as it is now. */
  async function monthly(userId: number, monthInput?: string) {
    const month = resolveMonth(monthInput, clock.now())
    const [row] = await queries.readMonthly(userId, month)
    if (!row) throw apiError('NOT_FOUND', { message: 'User not found' })
    const used = row.totalRequests
    const limit = row.quotaLimit
    return {
      month,
      tier: row.tier,
      usage: {
        totalRequests: used,
        successfulRequests: row.successfulRequests,
        failedRequests: row.failedRequests,
        averageResponseTimeMs: row.averageResponseTimeMs,
        totalResponseTimeMs: row.totalResponseTimeMs,
        lastUpdated: row.lastUpdated,
      },
      quota: {
        // Unlimited tiers (a null quota) are always within it and have nothing to count down.
        withinQuota: limit === null || used < limit,
        requestsUsed: used,
        requestsRemaining: limit === null ? null : Math.max(0, limit - used),
        quotaLimit: limit,
        percentageUsed: limit === null ? null : limit === 0 ? 100 : Math.round((used / limit) * 10_000) / 100,
        resetsAt: monthPeriod(month).end,
      },
    }
  }

  /** One page of the newest requests; `nextBefore` continues with older ones, null at the end. */
  async function recent(userId: number, limit: number, before?: RowCursor) {
    // One more than asked tells whether another page exists without a count.
    const rows = await queries.recent(userId, limit + 1, before)
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    return { rows: page, nextBefore: rows.length > limit && last ? { timestamp: last.cursor, id: last.id } : null }
  }

  async function stats(userId: number, input: { startDate?: string; endDate?: string }) {
    const span = resolveDateSpan(input, clock.now())
    const [row] = await queries.stats(userId, span.period)
    return { startDate: span.startDate, endDate: span.endDate, stats: row! }
  }

  async function breakdown(userId: number, monthInput?: string) {
    const month = resolveMonth(monthInput, clock.now())
    return { month, endpoints: await queries.breakdown(userId, monthPeriod(month)) }
  }

  async function daily(userId: number, monthInput?: string) {
    const month = resolveMonth(monthInput, clock.now())
    return { month, days: await queries.daily(userId, monthPeriod(month)) }
  }

  /** The CSV lines, header first, read page by page as the consumer pulls them. */
  async function* exportLines(userId: number, period: Period): AsyncGenerator<string> {
    yield csvLine(EXPORT_COLUMNS)
    let cursor: RowCursor | undefined
    let sent = 0
    while (sent < exportMaxRows) {
      const wanted = Math.min(exportPageSize, exportMaxRows - sent)
      const page = await queries.exportPage(userId, period, cursor, wanted)
      if (page.length > 0) yield page.map(exportLine).join('')
      if (page.length < wanted) return
      sent += page.length
      const last = page[page.length - 1]!
      cursor = { timestamp: last.cursor, id: last.id }
    }
  }

  /**
   * The month's rows as CSV, oldest first, at most `exportMaxRows` of them. Validation and the
   * size check happen here, before anything is sent; the lines are produced while they stream.
   */
  async function exportCsv(userId: number, monthInput?: string) {
    const now = clock.now()
    const month = resolveMonth(monthInput, now)
    const pruned = await prunedAmong(db, [month])
    if (pruned.length > 0) {
      const oldestKept = oldestKeptMonth(now, retentionMonths)
      throw apiError('USAGE_PRUNED', {
        message: `The request log of ${month} was deleted: raw requests are kept for ${retentionMonths} months (from ${oldestKept} on). GET /api/usage/daily?month=${month} still reports its days`,
        extra: { pruned_months: pruned, oldest_kept_month: oldestKept },
      })
    }
    const period = monthPeriod(month)
    const [size] = await queries.exportSize(userId, period)
    return {
      month,
      filename: `usage-${month}.csv`,
      maxRows: exportMaxRows,
      truncated: (size?.rows ?? 0) > exportMaxRows,
      lines: exportLines(userId, period),
    }
  }

  return { monthly, recent, stats, breakdown, daily, exportCsv }
}

export type UsageReports = ReturnType<typeof createUsageReports>
