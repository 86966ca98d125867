import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Database } from '../db/client.js'
import { apiError } from '../errors.js'
import { defaultPartitionRows } from '../services/usage/partitions.js'
import { counted } from '../text/plural.js'
import { errorResponses } from '../schemas/common.js'
import { version } from '../version.js'

const READINESS_TIMEOUT_MS = 2_000

const Health = Type.Object({ status: Type.String(), timestamp: Type.String(), version: Type.String() })
const Readiness = Type.Object({
  status: Type.String(),
  database: Type.String(),
  timestamp: Type.String(),
  // Present only when something needs an operator, though the service can still serve.
  details: Type.Optional(Type.Object({
    usage_default_partition: Type.Object({ rows: Type.Integer(), message: Type.String() }),
  })),
})

/** Rows there mean a month had no partition when they were written: upkeep has not been running. */
async function usageDetails(db: Database) {
  const rows = await defaultPartitionRows(db)
  if (rows === 0) return {}
  return {
    details: {
      usage_default_partition: {
        rows,
        message: `${counted(rows, 'usage row')} fell into usage_default, for months that had no partition; run npm run usage:prune, which makes the partitions and moves them in`,
      },
    },
  }
}

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
      const details = await Promise.race([app.database.ping().then(() => usageDetails(app.db)), timeout])
      return { status: 'ready', database: 'ok', timestamp: app.clock.now().toISOString(), ...details }
    } catch (error) {
      request.log.warn({ err: { message: (error as Error).message } }, 'readiness check failed')
      throw apiError('SERVICE_UNAVAILABLE', { message: 'The database is unreachable' })
    } finally {
      clearTimeout(timer)
    }
  })
}

export default health
