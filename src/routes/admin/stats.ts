import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { adminDocs, StatsResponse, toStatsDto } from '../../schemas/admin.js'
import { errorResponses } from '../../schemas/common.js'

/** `/api/admin/stats`: service-wide counts. */
const stats: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/stats', {
    schema: {
      ...adminDocs,
      summary: 'Users, active keys, requests this month and database size',
      response: { 200: StatsResponse, ...errorResponses(401, 403) },
    },
  }, async () => toStatsDto(await app.admin.stats()))
}

export default stats
