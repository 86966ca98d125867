import type { PGlite } from '@electric-sql/pglite'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'
import { systemClock, type Clock } from './clock.js'
import type { Config } from './config.js'
import { loggerOptions, wantsPrettyLogs } from './logger.js'
import accountsPlugin from './plugins/accounts.js'
import adminPlugin from './plugins/admin.js'
import apiKeyAuthPlugin from './plugins/api-key-auth.js'
import apiKeysPlugin from './plugins/api-keys.js'
import authenticatePlugin from './plugins/authenticate.js'
import changeFeedPlugin from './plugins/change-feed.js'
import corePlugin from './plugins/core.js'
import databasePlugin from './plugins/database.js'
import docsPlugin from './plugins/docs.js'
import errorsPlugin, { frameworkErrors } from './plugins/errors.js'
import httpPlugin from './plugins/http.js'
import jwtPlugin from './plugins/jwt.js'
import mailerPlugin from './plugins/mailer.js'
import meteringPlugin from './plugins/metering.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import usageMaintenancePlugin from './plugins/usage-maintenance.js'
import usageReportsPlugin from './plugins/usage-reports.js'
import weatherPlugin from './plugins/weather.js'
import webPages from './plugins/web.js'
import adminRoutes from './routes/admin/index.js'
import apiIndex from './routes/api-index.js'
import authRoutes from './routes/auth/index.js'
import keyRoutes from './routes/keys/index.js'
import usageRoutes from './routes/usage/index.js'
import weatherRoutes from './routes/weather/index.js'
import health from './routes/health.js'
import tierList from './routes/tiers.js'

export interface AppOptions {
  config: Config
  clock?: Clock
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: DestinationStream
  /** An embedded database to use instead of the configured one. */
  pglite?: PGlite
  /** Apply pending migrations at start (default true). */
  migrate?: boolean
}

const BODY_LIMIT_BYTES = 64 * 1024

/** Server-level options: these must be fixed when the Fastify instance is created. */
export function serverOptions(options: AppOptions): FastifyServerOptions {
  const { config } = options
  return {
    logger: loggerOptions(config.logLevel, options.logStream, wantsPrettyLogs(config.isProduction)),
    bodyLimit: BODY_LIMIT_BYTES,
    // Start-up includes migrations, which may wait on another instance's migration lock.
    pluginTimeout: 120_000,
    // A hung database or upstream yields a 503 at this deadline, never a hanging request.
    handlerTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { allErrors: true } },
  }
}

/** The whole application as one plugin: services first, then the route folders. */
async function application(instance: FastifyInstance, options: AppOptions): Promise<void> {
  await instance.register(corePlugin, { config: options.config, clock: options.clock ?? systemClock })
  await instance.register(databasePlugin, {
    config: options.config,
    ...(options.pglite ? { pglite: options.pglite } : {}),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
  })
  await instance.register(changeFeedPlugin)
  await instance.register(errorsPlugin)
  await instance.register(httpPlugin)
  await instance.register(rateLimitPlugin)
  await instance.register(docsPlugin)
  await instance.register(mailerPlugin)
  await instance.register(jwtPlugin)
  await instance.register(accountsPlugin)
  await instance.register(authenticatePlugin)
  await instance.register(apiKeysPlugin)
  await instance.register(usageReportsPlugin)
  await instance.register(usageMaintenancePlugin)
  await instance.register(adminPlugin)
  await instance.register(apiKeyAuthPlugin)
  await instance.register(meteringPlugin)
  await instance.register(weatherPlugin)

  await instance.register(health)
  await instance.register(apiIndex)
  await instance.register(tierList)
  await instance.register(authRoutes, { prefix: '/api/auth' })
  await instance.register(keyRoutes, { prefix: '/api/keys' })
  await instance.register(usageRoutes, { prefix: '/api/usage' })
  await instance.register(adminRoutes, { prefix: '/api/admin' })
  await instance.register(weatherRoutes, { prefix: '/api/weather' })
  await instance.register(webPages)
}

/** Not encapsulated, so the caller (server, tests) sees the app's decorators. */
export const app = fp(application, { name: 'fetcha-weather' })

/** Creates the Fastify instance and registers the app; the caller listens or injects. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const instance = Fastify(serverOptions(options)).withTypeProvider<TypeBoxTypeProvider>()
  await instance.register(app, options)
  await instance.ready()
  return instance
}
