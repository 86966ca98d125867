import type { Readable } from 'node:stream'
import { Type, type Static } from '@sinclair/typebox'
import type { UsageReports } from '../services/usage/reports.js'
import { Success, Timestamp } from './common.js'

// Months and dates are checked by the service, so that a bad one is named with a readable message.
const Month = Type.String({ maxLength: 32, description: 'A calendar month in UTC, YYYY-MM; default the current month', examples: ['2025-11'] })
const CalendarDate = Type.String({ maxLength: 32, description: 'YYYY-MM-DD, a UTC day', examples: ['2025-11-01'] })
const Milliseconds = Type.Number({ description: 'Milliseconds, 2 decimals; 0 when there are no requests' })
const Count = Type.Integer({ minimum: 0 })

export const MonthQuery = Type.Object({ month: Type.Optional(Month) })
export const RECENT_DEFAULT_LIMIT = 10
export const RecentQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: RECENT_DEFAULT_LIMIT, description: 'How many requests, newest first' })),
  before: Type.Optional(Type.String({ maxLength: 64, description: 'The next_before of the previous page: continues with older requests' })),
})
export const StatsQuery = Type.Object({
  start_date: Type.Optional({ ...CalendarDate, description: 'First day included; default the first day of the current UTC month' }),
  end_date: Type.Optional({ ...CalendarDate, description: `Last day included; default the last day of the current UTC month; at most 366 days after start_date` }),
})
export const ExportQuery = Type.Object({
  month: Type.Optional(Month),
  format: Type.Optional(Type.Literal('csv', { default: 'csv', description: 'Only csv' })),
})

const MonthlyUsage = Type.Object({
  month: Type.String({ description: 'YYYY-MM' }),
  total_requests: Count,
  successful_requests: Count,
  failed_requests: Count,
  average_response_time_ms: Milliseconds,
  total_response_time_ms: Milliseconds,
  last_updated: Type.Union([Timestamp, Type.Null()], { description: 'When a request was last counted this month; null before the first' }),
})

const QuotaStatus = Type.Object({
  within_quota: Type.Boolean({ description: 'True while another request this month would be accepted; always true on an unlimited tier' }),
  requests_used: Count,
  requests_remaining: Type.Union([Count, Type.Null()], { description: 'null on an unlimited tier' }),
  quota_limit: Type.Union([Count, Type.Null()], { description: "The tier's monthly quota; null when unlimited" }),
  percentage_used: Type.Union([Type.Number(), Type.Null()], { description: 'requests_used / quota_limit × 100, 2 decimals; null when unlimited' }),
  resets_at: { ...Timestamp, description: '00:00 UTC on the 1st of the next month' },
})

export const MonthlyResponse = Success({ usage: MonthlyUsage, quota: QuotaStatus, tier: Type.String() })

const RequestSchema = Type.Object({
  id: Type.Integer(),
  endpoint: Type.String(),
  location: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.String(), Type.Null()]),
  date_from: Type.Union([Type.String(), Type.Null()]),
  date_to: Type.Union([Type.String(), Type.Null()]),
  status_code: Type.Integer(),
  response_time_ms: Type.Number(),
  error_message: Type.Union([Type.String(), Type.Null()]),
  timestamp: Timestamp,
  api_key_id: Type.Union([Type.Integer(), Type.Null()], { description: 'null once the key is gone' }),
})

export const RecentResponse = Success({
  requests: Type.Array(RequestSchema, { description: 'Newest first' }),
  recent_requests: Type.Array(RequestSchema, { description: 'The same list, under its older name' }),
  total: Count,
  next_before: Type.Union([Type.String(), Type.Null()], { description: 'Send as `before` for the next, older page; null when there is none' }),
})

export const StatsResponse = Success({
  period: Type.Object({ start_date: Type.String(), end_date: Type.String() }, { description: 'The UTC days covered, both included' }),
  stats: Type.Object({
    total_requests: Count,
    successful_requests: Type.Integer({ minimum: 0, description: 'Answered with a 2xx status' }),
    failed_requests: Type.Integer({ minimum: 0, description: 'Answered with any other status' }),
    avg_response_time: Milliseconds,
    min_response_time: Milliseconds,
    max_response_time: Milliseconds,
    success_rate: Type.Number({ minimum: 0, maximum: 100, description: 'Percent, 2 decimals; 0 when there are no requests' }),
  }),
  total_requests: Count,
  avg_response_time_ms: Milliseconds,
})

export const BreakdownResponse = Success({
  month: Type.String(),
  breakdown: Type.Array(
    Type.Object({ endpoint: Type.String(), request_count: Count, successful_count: Count, avg_response_time: Milliseconds }),
    { description: 'Busiest endpoint first' },
  ),
})

export const DailyResponse = Success({
  month: Type.String(),
  daily_usage: Type.Array(
    Type.Object({ date: Type.String({ description: 'YYYY-MM-DD, a UTC day' }), request_count: Count, successful_count: Count, avg_response_time: Milliseconds }),
    { description: 'Days with requests, oldest first' },
  ),
})

export const ExportResponse = {
  description: 'The month\'s requests as CSV (RFC 4180), oldest first, with a header line. Cells a spreadsheet would run as formulas start with an apostrophe. At most 100,000 rows: X-Export-Truncated says whether the month held more.',
  // Text on the wire; the handler sends it as a stream.
  content: { 'text/csv': { schema: Type.Unsafe<string | Readable>(Type.String()) } },
}

type Monthly = Awaited<ReturnType<UsageReports['monthly']>>
type RecentRow = Awaited<ReturnType<UsageReports['recent']>>['rows'][number]
type Stats = Awaited<ReturnType<UsageReports['stats']>>

export function toMonthlyDto({ month, tier, usage, quota }: Monthly): Omit<Static<typeof MonthlyResponse>, 'success'> {
  return {
    usage: {
      month,
      total_requests: usage.totalRequests,
      successful_requests: usage.successfulRequests,
      failed_requests: usage.failedRequests,
      average_response_time_ms: usage.averageResponseTimeMs,
      total_response_time_ms: usage.totalResponseTimeMs,
      last_updated: usage.lastUpdated?.toISOString() ?? null,
    },
    quota: {
      within_quota: quota.withinQuota,
      requests_used: quota.requestsUsed,
      requests_remaining: quota.requestsRemaining,
      quota_limit: quota.quotaLimit,
      percentage_used: quota.percentageUsed,
      resets_at: quota.resetsAt.toISOString(),
    },
    tier,
  }
}

export function toRequestDto(row: RecentRow): Static<typeof RequestSchema> {
  return {
    id: row.id,
    endpoint: row.endpoint,
    location: row.location,
    state: row.state,
    date_from: row.dateFrom,
    date_to: row.dateTo,
    status_code: row.statusCode,
    response_time_ms: row.responseTimeMs,
    error_message: row.errorMessage,
    timestamp: row.timestamp.toISOString(),
    api_key_id: row.apiKeyId,
  }
}

export function toStatsDto({ startDate, endDate, stats }: Stats): Omit<Static<typeof StatsResponse>, 'success'> {
  return {
    period: { start_date: startDate, end_date: endDate },
    stats: {
      total_requests: stats.totalRequests,
      successful_requests: stats.successfulRequests,
      failed_requests: stats.failedRequests,
      avg_response_time: stats.avgResponseTime,
      min_response_time: stats.minResponseTime,
      max_response_time: stats.maxResponseTime,
      success_rate: stats.successRate,
    },
    total_requests: stats.totalRequests,
    avg_response_time_ms: stats.avgResponseTime,
  }
}
