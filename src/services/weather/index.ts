import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Database } from '../../db/client.js'
import { version } from '../../version.js'
import type { ChangeFeed } from '../cache/change-feed.js'
import { bomUserAgent, createBomClient } from '../bom/client.js'
import { createObservationStore } from './observation-store.js'
import { createStationCatalogue } from './stations.js'

/** The upstream client, the station catalogue and the observation store, wired from config. */
export interface WeatherServiceDeps {
  db: Database
  clock: Clock
  config: Config
  log: FastifyBaseLogger
  /** Keeps the catalogue and observation caches true; a feed that does not listen turns them off. */
  changes: ChangeFeed
}

export function createWeatherServices({ db, clock, config, log, changes }: WeatherServiceDeps) {
  const bom = createBomClient({
    baseUrl: config.bomBaseUrl,
    userAgent: bomUserAgent(version, config.appUrl),
    timeoutMs: config.bomTimeoutMs,
  })
  return {
    bom,
    stationCatalogue: createStationCatalogue({ db, clock, bom, changes }),
    observationStore: createObservationStore({ db, clock, bom, currentMonthTtlMs: config.currentMonthTtlMs, log, changes }),
  }
}

export type WeatherServices = ReturnType<typeof createWeatherServices>
