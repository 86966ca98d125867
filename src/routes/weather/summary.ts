import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { contentEtag } from '../../services/weather/conditional.js'
import { accountRateLimit } from '../../plugins/account-rate-limit.js'
import { errorResponses } from '../../schemas/common.js'
import { NotModified } from '../../schemas/weather.js'
import { SummaryQuery, SummaryResponse } from '../../schemas/weather-summary.js'
import { sydneyDate } from '../../services/weather/dates.js'
import { monthlyFigures, monthSummaries } from '../../services/weather/monthly-summary.js'
import { chooseStation } from '../../services/weather/station-choice.js'
import { resolveSummaryRange } from '../../services/weather/summary-range.js'
import { answerMeta, catalogueEnsurer, keyAuth, revalidate, stateOrThrow, upstreamUnavailable } from './answers.js'

/** `/api/weather/summary`: a station's monthly figures. */
const summaryRoute: FastifyPluginAsyncTypebox = async (app) => {
  const ensureCatalogue = catalogueEnsurer(app)

  app.get('/summary', {
    onRequest: app.authenticateKey,
    config: { metered: true, rateLimit: accountRateLimit },
    preValidation: app.reserveQuota,
    schema: {
      ...keyAuth,
      summary: 'Monthly figures of a station: temperatures, rainfall and rain days, the highest gust, humidity',
      description:
        'Metered like `/location`, and takes the station the same way (`location` + `state`, or `station_id`). The days are a whole ' +
        '`month=YYYY-MM` (the current month up to yesterday) or `date_from`/`date_to` within the range limit; each month of them gets ' +
        'one entry, computed by the database from the stored days (fetched from BOM first when missing). A figure is null when no day ' +
        'of its month has that value. Rain days count days with at least 0.2 mm and at least 1 mm. ' +
        'Past days only: a strong `ETag`, and 304 for a matching `If-None-Match` (counted), as for `/location`. ' +
        'Example: `/api/weather/summary?location=Melbourne&state=VIC&month=2025-10`.',
      querystring: SummaryQuery,
      response: { 200: SummaryResponse, 304: NotModified, ...errorResponses(400, 401, 404, 429, 502, 503) },
    },
  }, async (request, reply) => {
    const started = performance.now()
    const state = request.query.state?.trim() ? stateOrThrow(request.query.state) : undefined
    const today = sydneyDate(app.clock.now())
    const range = resolveSummaryRange(
      { month: request.query.month, dateFrom: request.query.date_from, dateTo: request.query.date_to },
      today,
      app.config.maxRangeDays,
    )
    const station = await chooseStation(request.query, state, app.stationCatalogue, ensureCatalogue)
    // Read through the store, so that months not yet stored are fetched before the database sums them.
    const stored = await app.observationStore.read(station.pageId, range.from, range.to)
    if (stored.records.length === 0 && stored.unavailableMonths.length > 0) throw upstreamUnavailable()
    const months = monthSummaries(await monthlyFigures(app.db, station.pageId, range.from, range.to), range.from, range.to)
    const figures = {
      success: true as const,
      station_id: station.pageId,
      station_name: station.name,
      state: station.state,
      date_from: range.from,
      date_to: range.to,
      months,
    }
    if (range.to < today && revalidate(request, reply, contentEtag(JSON.stringify(figures)))) return reply.code(304).send(null)
    return { ...figures, meta: answerMeta(request, started) }
  })
}

export default summaryRoute
