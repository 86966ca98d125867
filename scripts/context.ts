import { pino } from 'pino'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openConfiguredDatabase } from '../src/db/open.js'
import { createChangeFeed } from '../src/services/cache/change-feed.js'
import { createWeatherServices } from '../src/services/weather/index.js'

/** What a maintenance script needs: config, the migrated database and the weather services. */
export async function openScriptContext() {
  const config = loadConfig()
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel })
  const database = await openConfiguredDatabase(config)
  const services = createWeatherServices({
    db: database.db,
    clock: systemClock,
    config,
    log,
    // A one-off run reads each thing once: a feed that never listens keeps nothing cached.
    changes: createChangeFeed(),
  })
  return { config, database, ...services, close: () => database.close() }
}
