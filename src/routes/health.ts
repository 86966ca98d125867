import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiError } from '../errors.js'
import { errorResponses } from '../schemas/common.js'
import { version } from '../version.js'

const READINESS_TIMEOUT_MS = 2_000

const Health = Type.Object({ status: Type.String(), timestamp: Type.String(), version: Type.String() })
const Readiness = Type.Object({ status: Type.String(), database: Type.String(), timestamp: Type.String() })

/** Liveness never touches the database; readiness does, with a short bound. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    schema: { tags: ['service'], summary: 'Liveness', response: { 200: Health } },
  }, async () => ({ status: 'ok', timestamp: app.clock.now().toISOString(), version }))

  app.get('/health/ready', {
    schema: { tags: ['service'], summary: 'Readiness: the database answers', response: { 200: Readiness, ...errorResponses(503) } },
  }, async (request) => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database ping timed out')), READINESS_TIMEOUT_MS)
    })
    try {
      await Promise.race([app.database.ping(), timeout])
      return { status: 'ready', database: 'ok', timestamp: app.clock.now().toISOString() }
    } catch (error) {
      request.log.warn({ err: { message: (error as Error).message } }, 'readiness check failed')
      throw apiError('SERVICE_UNAVAILABLE', { message: 'The database is unreachable' })
    } finally {
      clearTimeout(timer)
    }
  })
}

export default health
