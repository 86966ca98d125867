import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { bomUserAgent, createBomClient, type BomClient } from '../services/bom/client.js'
import { createObservationStore, type ObservationStore } from '../services/weather/observation-store.js'
import { createStationCatalogue, type StationCatalogue } from '../services/weather/stations.js'
import { version } from '../version.js'

declare module 'fastify' {
  interface FastifyInstance {
    bom: BomClient
    stationCatalogue: StationCatalogue
    observationStore: ObservationStore
  }
}

async function weatherPlugin(app: FastifyInstance) {
  const { db, clock, config } = app
  const bom = createBomClient({
    baseUrl: config.bomBaseUrl,
    userAgent: bomUserAgent(version, config.appUrl),
    timeoutMs: config.bomTimeoutMs,
  })
  app.decorate('bom', bom)
  app.decorate('stationCatalogue', createStationCatalogue({ db, clock, bom }))
  app.decorate(
    'observationStore',
    createObservationStore({ db, clock, bom, currentMonthTtlMs: config.currentMonthTtlMs, log: app.log.child({ component: 'observations' }) }),
  )
}

export default fp(weatherPlugin, { name: 'weather', dependencies: ['database'] })
