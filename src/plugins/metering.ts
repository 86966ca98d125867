import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { apiError } from '../errors.js'
import { nextMonthStart, quotaResetIso, secondsUntilNextMonth, utcMonth } from '../services/metering/months.js'
import { createQuotaLeases, type QuotaLeases } from '../services/metering/quota-leases.js'
import { createUsageRecorder, type UsageRecorder } from '../services/metering/usage-recorder.js'
import { isCalendarDate } from '../services/weather/dates.js'

const FLUSH_INTERVAL_MS = 100
const MAX_BUFFERED_ROWS = 50_000
const DRAIN_TIMEOUT_MS = 10_000

/** What a counted request holds between the quota decision and its answer. */
export interface MeteredRequest {
  /** When the quota decision was taken: the request's time and month. */
  at: Date
  month: string
  leaseKey: string | null
  limit: number | null
  used: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preValidation guard for metered routes, after `authenticateKey` and the rate limiter. */
    reserveQuota(request: FastifyRequest, reply: FastifyReply): Promise<void>
    metering: { leases: QuotaLeases; recorder: UsageRecorder; flush(): Promise<void>; inflight(): number }
  }
  interface FastifyRequest {
    meter: MeteredRequest | null
    /** On a metered route and not yet finished with. */
    meteredRoute: boolean
    clientGone: boolean
    replySent: boolean
  }
  interface FastifyContextConfig {
    /** Requests to this route are counted against the quota and recorded in `usage`. */
    metered?: boolean
  }
}

function quotaHeaders(reply: FastifyReply, limit: number | null, used: number, month: string) {
  reply.header('x-quota-limit', limit === null ? 'unlimited' : String(limit))
  reply.header('x-quota-remaining', limit === null ? 'unlimited' : String(Math.max(0, limit - used)))
  reply.header('x-quota-reset', quotaResetIso(month))
}

function queryText(query: unknown, name: string, max: number): string | null {
  const value = (query as Record<string, unknown> | undefined)?.[name]
  // Recorded as the client sent it, even when it failed validation; the recorder makes it storable.
  return typeof value === 'string' ? value.slice(0, max) : null
}

function queryDate(query: unknown, name: string): string | null {
  const value = queryText(query, name, 10)
  return value && isCalendarDate(value) ? value : null
}

/**
 * Metering of data routes: the quota decision before the handler, and after the answer one
 * usage row plus the monthly counters, written in batches. 5xx answers are not charged.
 */
async function meteringPlugin(app: FastifyInstance) {
  const leases = createQuotaLeases({ db: app.db, clock: app.clock, instanceId: randomUUID() })
  const recorder = createUsageRecorder({
    db: app.db,
    clock: app.clock,
    leases,
    maxBuffered: MAX_BUFFERED_ROWS,
    onDropped: (count) => app.log.warn({ rows: count }, 'usage rows of deleted users dropped'),
  })
  // Requests on metered routes not yet answered, counted from their first hook: shutdown waits
  // for them, since one that is still authenticating will be metered once it gets through.
  let inflight = 0
  const flush = () => recorder.flush().catch((error: Error) => app.log.warn({ err: { message: error.message } }, 'usage flush failed; will retry'))
  app.decorate('metering', { leases, recorder, flush, inflight: () => inflight })
  app.decorateRequest('meter', null)
  app.decorateRequest('meteredRoute', false)
  app.decorateRequest('clientGone', false)
  app.decorateRequest('replySent', false)


  const timer = setInterval(() => void flush(), FLUSH_INTERVAL_MS)
  timer.unref()

  app.decorate('reserveQuota', async (request: FastifyRequest, reply: FastifyReply) => {
    if (recorder.full()) throw apiError('SERVICE_UNAVAILABLE', { message: 'Usage recording is backed up; try again shortly' })
    const now = app.clock.now()
    const month = utcMonth(now)
    const reservation = await app.metering.leases.reserve(request.account.id, month, request.tier.monthlyQuota)
    if (reservation.kind === 'exceeded') {
      quotaHeaders(reply, reservation.limit, reservation.used, month)
      throw apiError('QUOTA_EXCEEDED', {
        message: `The monthly quota of ${reservation.limit} requests is used up; it resets at ${nextMonthStart(month).toISOString()}`,
        headers: { 'retry-after': String(secondsUntilNextMonth(now)) },
        extra: {
          quota: {
            tier: request.tier.name,
            quota_limit: reservation.limit,
            requests_used: reservation.used,
            requests_remaining: 0,
            resets_at: nextMonthStart(month).toISOString(),
          },
        },
      })
    }
    request.meter =
      reservation.kind === 'granted'
        ? { at: now, month, leaseKey: reservation.leaseKey, limit: reservation.limit, used: reservation.used }
        : { at: now, month, leaseKey: null, limit: null, used: 0 }
    quotaHeaders(reply, request.meter.limit, request.meter.used, month)
  })

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.metered) {
      inflight += 1
      request.meteredRoute = true
    }
  })

  /** Ends the metering of one request, once: records it when `charged`, else gives its slot back. */
  function finish(request: FastifyRequest, statusCode: number, charged: boolean, responseTimeMs = 0): void {
    if (!request.meteredRoute) return
    request.meteredRoute = false
    inflight -= 1
    const meter = request.meter
    if (!meter) return
    request.meter = null
    if (meter.leaseKey) leases.settle(meter.leaseKey, charged)
    if (!charged) return
    recorder.record({
      requestId: request.id,
      userId: request.account.id,
      apiKeyId: request.apiKey.id,
      endpoint: request.routeOptions.url ?? request.url.split('?')[0]!,
      location: queryText(request.query, 'location', 100),
      state: queryText(request.query, 'state', 64),
      dateFrom: queryDate(request.query, 'date_from'),
      dateTo: queryDate(request.query, 'date_to'),
      responseTimeMs: Math.round(responseTimeMs * 100) / 100,
      statusCode,
      errorMessage: statusCode >= 400 ? (request.errorMessage?.slice(0, 500) ?? null) : null,
      ipAddress: request.ip,
      userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      // The time of the decision, so a request answered just after midnight counts in the month it was let in.
      timestamp: meter.at,
    })
  }

  // A client that hangs up gets no answer and is not charged; but its handler runs on, so the
  // request stays in flight (and shutdown waits for it) until the handler has produced its reply.
  app.addHook('onRequestAbort', async (request) => {
    if (request.replySent) finish(request, 0, false)
    else request.clientGone = true
  })
  app.addHook('onSend', async (request, _reply, payload) => {
    request.replySent = true
    if (request.clientGone) finish(request, 0, false)
    return payload
  })
  app.addHook('onResponse', async (request, reply) => {
    finish(request, reply.statusCode, reply.statusCode < 500, reply.elapsedTime)
  })

  async function answeredAll(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS
    while (inflight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  app.addHook('preClose', async () => {
    clearInterval(timer)
    await answeredAll()
    leases.releaseAll()
    await recorder.drain().catch((error: Error) => app.log.warn({ err: { message: error.message } }, 'usage flush failed at shutdown; retrying'))
  })
  app.addHook('onClose', async () => {
    await answeredAll()
    leases.releaseAll()
    await recorder.drain().catch((error: Error) => app.log.error({ err: { message: error.message }, rows: recorder.buffered() }, 'usage rows lost at shutdown'))
  })
}

export default fp(meteringPlugin, { name: 'metering', dependencies: ['database', 'api-key-auth'] })
