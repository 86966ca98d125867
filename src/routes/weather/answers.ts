import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { resolveState, states, type State } from '../../domain/states.js'
import { apiError } from '../../errors.js'
import { UpstreamError } from '../../services/bom/errors.js'
import { ifNoneMatchHits, PAST_RANGE_CACHE_CONTROL } from '../../services/weather/conditional.js'

// What the weather data routes share: how they read a state, reach a catalogue, and answer.

/** The OpenAPI tag and security of the routes that take an API key. */
export const keyAuth = { tags: ['weather'], security: [{ apiKey: [] }] }

export function stateOrThrow(input: string): State {
  const state = resolveState(input)
  if (!state) throw apiError('INVALID_STATE', { extra: { valid_states: states.map((s) => s.code) } })
  return state
}

/** Sends an answer already encoded as JSON; its body was checked against the schema where it was built. */
export function sendJsonBytes(reply: FastifyReply, bytes: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(bytes)
}

/** Sends a CSV answer as a download; `filename` is made of station ids and dates, nothing to escape. */
export function sendCsvBytes(reply: FastifyReply, bytes: Buffer, filename: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(bytes)
}

/**
 * For an answer about days that are all over: the validator and cache lifetime, and whether the
 * client's copy is current (then the answer is 304 without a body). `etag` is that of the answer
 * without its per-request parts (timing, quota, whether it came from the store).
 */
export function revalidate(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag).header('cache-control', PAST_RANGE_CACHE_CONTROL)
  return ifNoneMatchHits(request.headers['if-none-match'], etag)
}

/** The timing and quota figures every metered answer ends with. */
export function answerMeta(request: FastifyRequest, started: number) {
  const meter = request.meter
  return {
    response_time_ms: Math.round((performance.now() - started) * 100) / 100,
    tier: request.tier.name,
    quota_limit: meter?.limit ?? null,
    quota_used: meter?.used ?? 0,
    quota_remaining: meter?.limit == null ? null : Math.max(0, meter.limit - meter.used),
  }
}

/** BOM outages are usually short; the client may try again after this, and is not charged. */
const UPSTREAM_RETRY_AFTER_SECONDS = 30

export function upstreamUnavailable() {
  return apiError('UPSTREAM_UNAVAILABLE', {
    headers: { 'retry-after': String(UPSTREAM_RETRY_AFTER_SECONDS) },
    extra: { retry_after: UPSTREAM_RETRY_AFTER_SECONDS },
  })
}

/** The first read of a state's stations comes from BOM; an outage then is the upstream's. */
export function catalogueEnsurer(app: FastifyInstance) {
  return async (state: State): Promise<void> => {
    try {
      await app.stationCatalogue.ensure(state.code)
    } catch (error) {
      if (error instanceof UpstreamError) throw upstreamUnavailable()
      throw error
    }
  }
}
