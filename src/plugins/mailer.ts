import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createMailer, type Mailer } from '../services/mailer.js'

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer
  }
}

async function mailerPlugin(app: FastifyInstance) {
  const mailer = createMailer({
    smtpUrl: app.config.smtpUrl,
    from: app.config.mailFrom,
    logLinks: !app.config.isProduction,
    log: app.log.child({ component: 'mailer' }),
  })
  app.decorate('mailer', mailer)
  app.addHook('onClose', () => mailer.close())
}

export default fp(mailerPlugin, { name: 'mailer' })
