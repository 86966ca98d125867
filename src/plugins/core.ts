import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Clock } from '../clock.js'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    clock: Clock
  }
}

export interface CorePluginOptions {
  config: Config
  clock: Clock
}

/** The two things every other plugin reads: the validated config and the clock. */
async function corePlugin(app: FastifyInstance, options: CorePluginOptions) {
  app.decorate('config', options.config)
  app.decorate('clock', options.clock)
}

export default fp(corePlugin, { name: 'core' })
