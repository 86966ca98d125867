import { pino } from 'pino'
import { systemClock } from '../src/clock.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { DatabaseInUseError } from '../src/db/embedded-lock.js'
import { openConfiguredDatabase } from '../src/db/open.js'
import { createChangeFeed } from '../src/services/cache/change-feed.js'
import { createWeatherServices } from '../src/services/weather/index.js'

/**
 * Ends a script on a failure its user can act on with one line, not a stack: bad config, or
 * the embedded database held by the running service.
 */
export function exitOnKnownFailure(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
    console.error(`error: ${error.message}`)
    process.exit(1)
  }
  throw error
}

/** What a maintenance script needs: config, the migrated database and the weather services. */
export async function openScriptContext() {
  let config, database
  try {
    config = loadConfig()
    database = await openConfiguredDatabase(config)
  } catch (error) {
    exitOnKnownFailure(error)
  }
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel })
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
