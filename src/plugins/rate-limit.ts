import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { apiError } from '../errors.js'
import { createFallbackRateLimitStore, type RateLimitBackend } from '../services/fallback-rate-limit-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Where rate limits are counted right now: shared in Redis, or in this process. */
    rateLimitBackend(): RateLimitBackend
  }
}

/**
 * A Redis command slower than this is given up and the request counted locally: the limiter
 * runs on every limited request, and a stalled Redis must not stall the API.
 */
const REDIS_COMMAND_TIMEOUT_MS = 500

/**
 * @fastify/rate-limit, off by default: routes opt in through `config.rateLimit`. With REDIS_URL
 * the counters live in Redis so that every instance shares them; while Redis is unreachable each
 * instance enforces the same limits with its own counters, and goes back to Redis when it
 * returns. Keys default to the client IP as resolved through TRUST_PROXY.
 */
async function rateLimitPlugin(app: FastifyInstance) {
  const redis = app.config.redisUrl
    ? new Redis(app.config.redisUrl, {
        connectTimeout: 2_000,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        // A command cut off by a lost connection has already been counted locally: sending it
        // again after the reconnect would count that request twice.
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        enableOfflineQueue: false,
        lazyConnect: false,
      })
    : undefined
  const fallback = redis ? createFallbackRateLimitStore({ redis, nameSpace: 'fetcha-rl-', log: app.log }) : undefined

  await app.register(rateLimit, {
    global: false,
    ...(fallback ? { store: fallback.Store } : {}),
    // Neither store reports errors: Redis failures are absorbed by the fallback and the local
    // counters cannot fail. Skipping on error would only hide a defect by dropping every limit,
    // so an error, should one ever surface, is not skipped.
    skipOnError: false,
    errorResponseBuilder: (_request, context) =>
      apiError('RATE_LIMITED', {
        message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`,
        statusCode: context.statusCode,
        extra: { retry_after: Math.ceil(context.ttl / 1000) },
      }),
  })

  app.decorate('rateLimitBackend', () => fallback?.backend() ?? 'local')

  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())))
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['core'] })
