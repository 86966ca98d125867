import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createChangeFeed, type ChangeFeed } from '../services/cache/change-feed.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Changes to cached rows, announced by the database to every instance. */
    changes: ChangeFeed
  }
}

/** The channel the `notify_cache_change` trigger of the migrations sends on. */
export const CHANGE_CHANNEL = 'fetcha_cache'

async function changeFeedPlugin(app: FastifyInstance) {
  const feed = createChangeFeed()
  app.decorate('changes', feed)
  await app.database.listen(CHANGE_CHANNEL, {
    onNotify: (payload) => feed.notify(payload),
    onListening: (listening) => {
      if (!listening && feed.listening) app.log.warn('lost the database change feed: caches are bypassed until it is back')
      feed.setListening(listening)
    },
  })
}

export default fp(changeFeedPlugin, { name: 'change-feed', dependencies: ['database'] })
