import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../schemas/common.js'
import { encodeCursor, parseCursor } from '../../services/usage/cursor.js'
import {
  BreakdownResponse, DailyResponse, ExportQuery, ExportResponse, MonthlyResponse, MonthQuery, RECENT_DEFAULT_LIMIT, RecentQuery, RecentResponse, StatsQuery, StatsResponse,
  toMonthlyDto, toRequestDto, toStatsDto,
} from '../../schemas/usage.js'

/** An export streams for as long as the client reads; each page's query keeps its own timeout. */
const EXPORT_TIMEOUT_MS = 120_000

/** `/api/usage`: the logged-in user's own metered requests. Nothing here reads another user's rows. */
const usageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)
  const common = { tags: ['usage'], security: [{ bearerAuth: [] }] }

  app.get('/monthly', {
    schema: { ...common, summary: "A month's request counts and the quota", querystring: MonthQuery, response: { 200: MonthlyResponse, ...errorResponses(400, 401) } },
  }, async (request) => ({
    success: true as const,
    ...toMonthlyDto(await app.usageReports.monthly(request.account.id, request.query.month)),
  }))

  app.get('/recent', {
    schema: { ...common, summary: 'The latest requests, newest first', querystring: RecentQuery, response: { 200: RecentResponse, ...errorResponses(400, 401) } },
  }, async (request) => {
    const { limit = RECENT_DEFAULT_LIMIT, before } = request.query
    const page = await app.usageReports.recent(request.account.id, limit, before === undefined ? undefined : parseCursor(before, 'before'))
    const requests = page.rows.map(toRequestDto)
    return {
      success: true as const,
      requests,
      recent_requests: requests,
      total: requests.length,
      next_before: page.nextBefore && encodeCursor(page.nextBefore),
    }
  })

  app.get('/stats', {
    schema: { ...common, summary: 'Request statistics over a range of days', querystring: StatsQuery, response: { 200: StatsResponse, ...errorResponses(400, 401) } },
  }, async (request) => ({
    success: true as const,
    ...toStatsDto(await app.usageReports.stats(request.account.id, { startDate: request.query.start_date, endDate: request.query.end_date })),
  }))

  app.get('/breakdown', {
    schema: { ...common, summary: "A month's requests per endpoint", querystring: MonthQuery, response: { 200: BreakdownResponse, ...errorResponses(400, 401) } },
  }, async (request) => {
    const { month, endpoints } = await app.usageReports.breakdown(request.account.id, request.query.month)
    return {
      success: true as const,
      month,
      breakdown: endpoints.map((e) => ({
        endpoint: e.endpoint, request_count: e.requestCount, successful_count: e.successfulCount, avg_response_time: e.avgResponseTime,
      })),
    }
  })

  app.get('/daily', {
    schema: { ...common, summary: "A month's requests per UTC day", querystring: MonthQuery, response: { 200: DailyResponse, ...errorResponses(400, 401) } },
  }, async (request) => {
    const { month, days } = await app.usageReports.daily(request.account.id, request.query.month)
    return {
      success: true as const,
      month,
      daily_usage: days.map((d) => ({ date: d.date, request_count: d.requestCount, successful_count: d.successfulCount, avg_response_time: d.avgResponseTime })),
    }
  })

  app.get('/export', {
    handlerTimeout: EXPORT_TIMEOUT_MS,
    schema: { ...common, summary: "A month's requests as CSV", querystring: ExportQuery, response: { 200: ExportResponse, ...errorResponses(400, 401, 410) } },
  }, async (request, reply) => {
    const csv = await app.usageReports.exportCsv(request.account.id, request.query.month)
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csv.filename}"`)
      .header('cache-control', 'no-store')
      .header('x-export-truncated', String(csv.truncated))
      .header('x-export-max-rows', String(csv.maxRows))
      .send(Readable.from(csv.lines, { objectMode: false }))
  })
}

export default usageRoutes
