import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { version } from '../version.js'

/** OpenAPI 3 generated from the route schemas, served at /docs/json, with Swagger UI at /docs. */
async function docsPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Fetcha Weather API',
        description: 'Historical daily weather observations for Australia, metered by API key.',
        version,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}

export default fp(docsPlugin, { name: 'docs' })
