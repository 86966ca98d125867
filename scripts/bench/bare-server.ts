/**
 * The ceiling of the benchmark: bare Fastify answering, from memory, the payload the metered
 * route answers. Whatever the service does beyond this is the cost of auth, metering and data.
 *
 * BENCH_CEILING_FORM=object (the ceiling the ratio is taken against) returns the parsed payload
 * and lets Fastify serialize it per request, as a plain JSON route does; `bytes` sends the text
 * already serialized, so that only routing and writing are left: the ceiling of HTTP itself.
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

const text = readFileSync(process.env.BENCH_PAYLOAD_FILE!, 'utf8')
const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))
if (process.env.BENCH_CEILING_FORM === 'bytes') {
  const bytes = Buffer.from(text)
  app.get('/api/weather/location', async (_request, reply) => reply.type('application/json; charset=utf-8').send(bytes))
} else {
  const payload: unknown = JSON.parse(text)
  app.get('/api/weather/location', async () => payload)
}
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
