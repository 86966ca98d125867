import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { apiError } from '../errors.js'

/**
 * @fastify/rate-limit, off by default: routes opt in through `config.rateLimit`. With REDIS_URL
 * the counters live in Redis so that every instance shares them; keys default to the client IP
 * as resolved through TRUST_PROXY.
 */
async function rateLimitPlugin(app: FastifyInstance) {
  const redis = app.config.redisUrl
    ? new Redis(app.config.redisUrl, { connectTimeout: 2_000, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : undefined
  redis?.on('error', (error: Error) => app.log.warn({ err: { message: error.message } }, 'redis error'))

  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'fetcha-rl-' } : {}),
    // A Redis outage must not take the API down with it.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      apiError('RATE_LIMITED', {
        message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`,
        statusCode: context.statusCode,
        extra: { retry_after: Math.ceil(context.ttl / 1000) },
      }),
  })

  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())))
}

export default fp(rateLimitPlugin, { name: 'rate-limit', dependencies: ['core'] })
