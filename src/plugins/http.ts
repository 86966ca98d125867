import cors from '@fastify/cors'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** Headers a browser client must be able to read: quotas, rate limits, exports. */
export const EXPOSED_HEADERS = [
  'X-Quota-Limit', 'X-Quota-Remaining', 'X-Quota-Reset',
  'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After',
  'Content-Disposition', 'X-Export-Truncated', 'X-Export-Max-Rows',
]

/** Cross-origin rules and load shedding. */
async function httpPlugin(app: FastifyInstance) {
  await app.register(cors, {
    origin: app.config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  })
  // A saturated process answers 503 quickly instead of queueing without bound.
  await app.register(underPressure, {
    // 0 turns shedding off (the test suite does, since its machine is busy by design).
    maxEventLoopDelay: app.config.maxEventLoopDelayMs,
    retryAfter: 5,
    exposeStatusRoute: false,
  })
}

export default fp(httpPlugin, { name: 'http', dependencies: ['core'] })
