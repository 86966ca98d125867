import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { limitHeapGrowth } from './heap.js'
import { startupLine } from './startup-line.js'

const SHUTDOWN_GRACE_MS = 30_000

async function main() {
  limitHeapGrowth()
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`fetcha-weather: ${error.message}`)
      process.exit(1)
    }
    throw error
  }

  const app = await buildApp({ config })
  let announced = 0
  await app.listen({
    port: config.port,
    host: config.host,
    // Fastify names each address it listens on (several on 0.0.0.0): the first gets the line.
    listenTextResolver: (address) => (announced++ === 0 ? startupLine(config, Number(new URL(address).port)) : `also reachable at ${address}`),
  })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight')
    const force = setTimeout(() => {
      app.log.error('graceful shutdown took too long; exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    try {
      // Stops accepting, waits for in-flight requests, then runs the close hooks (pool last).
      await app.close()
      process.exit(0)
    } catch (error) {
      app.log.error({ err: error }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error: unknown) => {
  console.error('fetcha-weather failed to start:', error instanceof Error ? error.message : error)
  process.exit(1)
})
