/**
 * The ceiling of the benchmark: bare Fastify answering, from memory, the payload the metered
 * route answers. Whatever the service does beyond this is the cost of auth, metering and data.
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

const payload: unknown = JSON.parse(readFileSync(process.env.BENCH_PAYLOAD_FILE!, 'utf8'))
const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
app.get('/api/weather/location', async () => payload)
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
