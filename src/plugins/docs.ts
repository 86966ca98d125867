import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { version } from '../version.js'

interface ObjectSchema {
  properties?: Record<string, { default?: unknown }>
  required?: string[]
}

/**
 * A query property with a default is filled in when absent, so a client need not send it; the
 * schema still lists it as required because that is what the handler receives.
 */
function documentedQuery(querystring: ObjectSchema): ObjectSchema {
  const required = querystring.required?.filter((name) => querystring.properties?.[name]?.default === undefined)
  return { ...querystring, required }
}

/** OpenAPI 3 generated from the route schemas, served at /docs/json, with Swagger UI at /docs. */
async function docsPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    transform: ({ schema, url }) => {
      const querystring = (schema as { querystring?: ObjectSchema } | undefined)?.querystring
      return { schema: querystring ? { ...schema, querystring: documentedQuery(querystring) } : schema, url }
    },
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
