import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { version } from '../version.js'

const ApiIndex = Type.Object({
  success: Type.Literal(true),
  name: Type.String(),
  version: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
})

/** `GET /api`: what this service is and where to start. */
const apiIndex: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api', {
    schema: { tags: ['service'], summary: 'Service information', response: { 200: ApiIndex } },
  }, async () => ({
    success: true as const,
    name: 'Fetcha Weather API',
    version,
    links: {
      docs: '/docs',
      openapi: '/docs/json',
      health: '/health',
      auth: '/api/auth',
    },
  }))
}

export default apiIndex
