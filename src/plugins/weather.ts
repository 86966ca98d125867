import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createWeatherServices, type WeatherServices } from '../services/weather/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    bom: WeatherServices['bom']
    stationCatalogue: WeatherServices['stationCatalogue']
    observationStore: WeatherServices['observationStore']
  }
}

async function weatherPlugin(app: FastifyInstance) {
  const services = createWeatherServices({ db: app.db, clock: app.clock, config: app.config, log: app.log.child({ component: 'weather' }), changes: app.changes })
  app.decorate('bom', services.bom)
  app.decorate('stationCatalogue', services.stationCatalogue)
  app.decorate('observationStore', services.observationStore)
}

export default fp(weatherPlugin, { name: 'weather', dependencies: ['database', 'change-feed'] })
