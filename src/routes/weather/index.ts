import compress from '@fastify/compress'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { states } from '../../domain/states.js'
import { apiError } from '../../errors.js'
import { accountRateLimit } from '../../plugins/account-rate-limit.js'
import { errorResponses } from '../../schemas/common.js'
import { LocationQuery, LocationResponse, NotModified, StationsQuery, StationsResponse, StatesResponse } from '../../schemas/weather.js'
import { resolveDateRange } from '../../services/weather/date-range.js'
import { datesInRange, sydneyDate } from '../../services/weather/dates.js'
import { latestObservedDay } from '../../services/weather/latest-day.js'
import { answerFormat } from '../../services/weather/answer-format.js'
import { chooseStation } from '../../services/weather/station-choice.js'
import { recordsWithFields, selectedFields } from '../../services/weather/field-selection.js'
import { csvOfRecords } from '../../services/weather/record-csv.js'
import { contentEtag } from '../../services/weather/conditional.js'
import { jsonEtag, jsonWithRecords } from '../../services/weather/record-json.js'
import { answerMeta, catalogueEnsurer, keyAuth, revalidate, sendCsvBytes, sendJsonBytes, stateOrThrow, upstreamUnavailable } from './answers.js'
import summaryRoute from './summary.js'

function missingFrom(from: string, to: string, records: { date: string }[]): string[] {
  const returned = new Set(records.map((r) => r.date))
  return datesInRange(from, to).filter((d) => !returned.has(d))
}

const COMPRESS_FROM_BYTES = 1024

/** `/api/weather`: the data routes. */
const weatherRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // A month of days is about 19 KB of JSON and compresses several times over; small answers
  // gain nothing. Registered here, so it covers these routes only.
  await app.register(compress, { global: true, threshold: COMPRESS_FROM_BYTES })
  await app.register(summaryRoute)

  const ensureCatalogue = catalogueEnsurer(app)

  app.get('/states', {
    schema: { tags: ['weather'], summary: 'The eight states and territories', response: { 200: StatesResponse } },
  }, async () => ({
    success: true as const,
    states: states.map((s) => ({ code: s.code, name: s.name, bom_code: s.bomCode })),
    total: states.length,
  }))

  app.get('/stations', {
    onRequest: app.authenticateKey,
    schema: {
      ...keyAuth,
      summary: "A state's weather stations (not counted against the quota)",
      querystring: StationsQuery,
      response: { 200: StationsResponse, ...errorResponses(400, 401, 502) },
    },
  }, async (request) => {
    const state = stateOrThrow(request.query.state)
    await ensureCatalogue(state)
    const found = await app.stationCatalogue.search(state.code, request.query.q, request.query.limit)
    return {
      success: true as const,
      state: state.code,
      stations: found.map((s) => ({ station_id: s.pageId, name: s.name, state: s.state })),
      total: found.length,
    }
  })

  app.get('/location', {
    onRequest: app.authenticateKey,
    config: { metered: true, rateLimit: accountRateLimit },
    preValidation: app.reserveQuota,
    schema: {
      ...keyAuth,
      summary: 'Daily observations of a station, named by location and state or by station_id',
      description:
        '`format=csv` (or `Accept: text/csv`) answers `text/csv; charset=utf-8` as an attachment named `<station_id>-<date_from>-<date_to>.csv`: ' +
        'a header line of the field names, then one line per day (RFC 4180 quoting, CRLF line ends, an empty cell for null). ' +
        'Errors are JSON whatever the format. `fields=` selects the fields of JSON and CSV alike. ' +
        'An answer about past days only (date_to before today in Australia/Sydney) carries a strong `ETag` and ' +
        '`Cache-Control: private, max-age=86400`; `If-None-Match` naming it is answered 304 without a body, and counted. ' +
        'Answers over 1 KB are compressed when Accept-Encoding allows. ' +
        "Metered: counted against the account's monthly quota (429 `QUOTA_EXCEEDED`) and limited by the tier's hourly rate " +
        'limit, which applies per account, all its API keys together: a new or rotated key does not reset it. ' +
        'Over the limit: 429 `RATE_LIMITED` naming the tier, the limit and the reset time (`rate_limit`), with `Retry-After`.',
      querystring: LocationQuery,
      response: { 200: LocationResponse, 304: NotModified, ...errorResponses(400, 401, 404, 429, 502, 503) },
    },
  }, async (request, reply) => {
    const started = performance.now()
    const { date_from, date_to } = request.query
    const state = request.query.state?.trim() ? stateOrThrow(request.query.state) : undefined
    const fields = selectedFields(request.query.fields)
    const format = answerFormat(request.query.format, request.headers.accept)
    const today = sydneyDate(app.clock.now())
    const datesGiven = Boolean(date_from?.trim() || date_to?.trim())
    // Dates are checked before anything is looked up; without them the station's latest day is found below.
    let range = datesGiven ? resolveDateRange({ dateFrom: date_from, dateTo: date_to }, today, app.config.maxRangeDays) : undefined
    const station = await chooseStation(request.query, state, app.stationCatalogue, ensureCatalogue)
    if (!range) {
      const latest = await latestObservedDay(app.observationStore, station.pageId, today)
      if (latest.day === null) throw latest.upstreamUnavailable ? upstreamUnavailable() : apiError('NO_RECENT_OBSERVATIONS')
      range = resolveDateRange({ dateFrom: latest.day }, today, app.config.maxRangeDays)
    }
    const stored = await app.observationStore.read(station.pageId, range.from, range.to)
    if (stored.records.length === 0 && stored.unavailableMonths.length > 0) throw upstreamUnavailable()
    // Most ranges are complete: only a gap needs the day-by-day comparison.
    const missingDates = stored.records.length === range.days ? [] : missingFrom(range.from, range.to, stored.records)
    const data = recordsWithFields(stored.records, fields)
    const past = range.to < today
    if (format === 'csv') {
      const csv = csvOfRecords(data, fields)
      if (past && revalidate(request, reply, contentEtag(csv))) return reply.code(304).send(null)
      return sendCsvBytes(reply, csv, `${station.pageId}-${range.from}-${range.to}.csv`)
    }
    const body = {
      success: true as const,
      location: request.query.location?.trim() || station.name,
      station_id: station.pageId,
      station_name: station.name,
      state: station.state,
      data,
      metadata: {
        requested_dates: range.days,
        records_returned: stored.records.length,
        coverage: Math.round((stored.records.length / range.days) * 1000) / 1000,
        missing_dates: missingDates,
        date_from: range.from,
        date_to: range.to,
        dates_chosen_by: datesGiven ? ('request' as const) : ('latest_observed_day' as const),
        data_source: 'Bureau of Meteorology daily weather observations',
        fetched_at: stored.fetchedAt?.toISOString() ?? null,
      },
      cached: !stored.fetched,
      meta: answerMeta(request, started),
    } satisfies Static<typeof LocationResponse>
    // Hundreds of nullable numbers per answer, the same for every request of a stored month: each
    // record's JSON is encoded once and reused (see record-json), the rest by JSON.stringify. The
    // body is built field by field, so there is nothing for a schema to strip; the schema still
    // documents the answer, and `satisfies` holds the body to it.
    if (past && revalidate(request, reply, jsonEtag({ ...body, meta: undefined, cached: undefined }, 'data'))) return reply.code(304).send(null)
    return sendJsonBytes(reply, jsonWithRecords(body, 'data'))
  })

}

export default weatherRoutes
