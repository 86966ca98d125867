import type { errorResponseBuilderContext } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import { HOUR, SECOND } from '../clock.js'
import { apiError } from '../errors.js'

/** When the account's window ends, to the second (never before the limiter's own end). */
function resetsAt(request: FastifyRequest, ttlMs: number): string {
  const end = Math.ceil((request.server.clock.now().getTime() + ttlMs) / SECOND) * SECOND
  return new Date(end).toISOString().replace('.000Z', 'Z')
}

/**
 * Route config for metered routes: the tier's hourly limit per account, all its keys together,
 * checked after key authentication. Keyed by the user rather than the key, so that a new or
 * rotated key does not start a fresh count. The count itself is what it was per key: one
 * in-memory counter, or one Redis command when REDIS_URL is set, and no database round trip.
 */
export const accountRateLimit = {
  hook: 'preParsing' as const,
  timeWindow: HOUR,
  max: (request: FastifyRequest) => request.tier.rateLimitPerHour,
  keyGenerator: (request: FastifyRequest) => `user:${request.account.id}`,
  errorResponseBuilder: (request: FastifyRequest, context: errorResponseBuilderContext) => {
    const tier = request.tier.name
    const resets = resetsAt(request, context.ttl)
    const retryAfter = Math.ceil(context.ttl / SECOND)
    return apiError('RATE_LIMITED', {
      message: `${tier} tier: ${context.max} request${context.max === 1 ? '' : 's'} per hour for your account (all its API keys together), resets at ${resets}`,
      statusCode: context.statusCode,
      extra: { retry_after: retryAfter, rate_limit: { tier, limit_per_hour: context.max, scope: 'account', resets_at: resets } },
    })
  },
}
