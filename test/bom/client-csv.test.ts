import t, { type Test } from 'tap'
import { bomUserAgent, createBomClient, MAX_CSV_BYTES, type BomClientOptions } from '../../src/services/bom/client.js'
import { parseMonthlyCsv } from '../../src/services/bom/csv.js'
import { UpstreamError } from '../../src/services/bom/errors.js'
import { fixture, sendBytes, startBomServer, type Route } from '../fixtures/bom/server.js'

const CSV_PATH = '/climate/dwo/202510/text/IDCJDW3050.202510.csv'
const USER_AGENT = bomUserAgent('9.8.7', 'https://fetcha.example/contact')
const october = fixture('csv/IDCJDW3050.202510.csv')

async function setup(t: Test, routes: Record<string, Route>, options: Partial<BomClientOptions> = {}) {
  const server = await startBomServer(routes)
  t.teardown(server.close)
  const sleeps: number[] = []
  const client = createBomClient({
    baseUrl: server.baseUrl,
    userAgent: USER_AGENT,
    sleep: async (ms) => void sleeps.push(ms),
    ...options,
  })
  return { server, client, sleeps, fetchOctober: () => client.fetchMonthlyCsv('IDCJDW3050', 2025, 10) }
}

async function upstreamError(t: Test, promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  t.ok(error instanceof UpstreamError, 'an UpstreamError')
  return error as UpstreamError
}

const status =
  (code: number): Route =>
  (_request, response) =>
    void response.writeHead(code, { 'content-type': 'text/html' }).end(`<h1>${code}</h1>`)

t.test('the user agent names the service, its version and a contact', async (t) => {
  t.equal(USER_AGENT, 'FetchaWeather/9.8.7 (+https://fetcha.example/contact)')
})

t.test('ok: the file’s bytes, from the monthly URL, with our User-Agent', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: sendBytes(october, 'text/csv') })
  const result = await fetchOctober()
  t.equal(result.status, 'ok')
  if (result.status !== 'ok') return
  t.ok(Buffer.from(result.bytes).equals(october), 'byte for byte, Latin-1 untouched')
  t.equal(parseMonthlyCsv(result.bytes).records.length, 31)
  t.same(
    server.seen.map((request) => [request.path, request.userAgent]),
    [[CSV_PATH, USER_AGENT]],
  )
  t.same(sleeps, [])
})

t.test('404: the month is not online, answered at once without retrying', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, {})
  t.same(await fetchOctober(), { status: 'not_found' })
  t.equal(server.hitsOf(CSV_PATH), 1)
  t.same(sleeps, [])
})

t.test('500 then 200: retried after a backoff', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, {
    [CSV_PATH]: (request, response, hit) => (hit === 1 ? status(500)(request, response, hit) : sendBytes(october, 'text/csv')(request, response, hit)),
  })
  const result = await fetchOctober()
  t.equal(result.status, 'ok')
  t.equal(server.hitsOf(CSV_PATH), 2)
  t.same(sleeps, [200])
})

t.test('a dropped connection then 200: retried', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, {
    [CSV_PATH]: (request, response, hit) => (hit === 1 ? void request.socket.destroy() : sendBytes(october, 'text/csv')(request, response, hit)),
  })
  t.equal((await fetchOctober()).status, 'ok')
  t.equal(server.hitsOf(CSV_PATH), 2)
  t.same(sleeps, [200])
})

t.test('persistent 500: an UpstreamError after retries + 1 attempts with growing backoff', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: status(500) })
  const error = await upstreamError(t, fetchOctober())
  t.equal(error.reason, 'status')
  t.equal(error.status, 500)
  t.equal(error.attempts, 3)
  t.match(error.url, /\/climate\/dwo\/202510\/text\/IDCJDW3050\.202510\.csv$/)
  t.equal(server.hitsOf(CSV_PATH), 3)
  t.same(sleeps, [200, 800])
})

t.test('the number of retries is configurable', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: status(503) }, { retries: 0 })
  const error = await upstreamError(t, fetchOctober())
  t.equal(error.attempts, 1)
  t.equal(server.hitsOf(CSV_PATH), 1)
  t.same(sleeps, [])
})

t.test('other 4xx answers are errors and are not retried', async (t) => {
  for (const code of [400, 403, 429]) {
    const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: status(code) })
    const error = await upstreamError(t, fetchOctober())
    t.equal(error.status, code)
    t.equal(error.attempts, 1)
    t.equal(server.hitsOf(CSV_PATH), 1, `${code} asked once`)
    t.same(sleeps, [])
  }
})

t.test('a server that never answers: a timeout UpstreamError, quickly', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: () => {} }, { timeoutMs: 300 })
  const started = Date.now()
  const error = await upstreamError(t, fetchOctober())
  const elapsed = Date.now() - started
  t.equal(error.reason, 'timeout')
  t.equal(error.attempts, 3)
  t.equal(server.hitsOf(CSV_PATH), 3)
  t.same(sleeps, [200, 800])
  t.ok(elapsed >= 850 && elapsed < 5000, `three attempts of 300 ms took ${elapsed} ms`)
})

t.test('a body that stalls half way: a timeout too', async (t) => {
  const { fetchOctober } = await setup(t, { [CSV_PATH]: (_request, response) => void response.writeHead(200, { 'content-type': 'text/csv' }).write(october.subarray(0, 100)) }, { timeoutMs: 300, retries: 0 })
  const error = await upstreamError(t, fetchOctober())
  t.equal(error.reason, 'timeout')
})

t.test('an oversize body is refused, declared or not, and not retried', async (t) => {
  const big = Buffer.alloc(MAX_CSV_BYTES + 1, 0x2c)
  const declared = await setup(t, { [CSV_PATH]: sendBytes(big, 'text/csv') })
  const error = await upstreamError(t, declared.fetchOctober())
  t.equal(error.reason, 'too_large')
  t.equal(error.attempts, 1)
  t.equal(declared.server.hitsOf(CSV_PATH), 1)

  const chunked = await setup(t, {
    [CSV_PATH]: (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/csv' })
      for (let sent = 0; sent < MAX_CSV_BYTES + 1; sent += 64 * 1024) response.write(big.subarray(sent, Math.min(sent + 64 * 1024, MAX_CSV_BYTES + 1)))
      response.end()
    },
  })
  t.equal((await upstreamError(t, chunked.fetchOctober())).reason, 'too_large', 'counted while streaming')

  const exact = await setup(t, { [CSV_PATH]: sendBytes(big.subarray(0, MAX_CSV_BYTES), 'text/csv') })
  const result = await exact.fetchOctober()
  t.equal(result.status === 'ok' ? result.bytes.byteLength : -1, MAX_CSV_BYTES, 'exactly the cap is accepted')

  const small = await setup(t, { [CSV_PATH]: sendBytes(october, 'text/csv') }, { maxCsvBytes: 1000 })
  t.equal((await upstreamError(t, small.fetchOctober())).reason, 'too_large', 'the cap is configurable')
})

t.test('an invalid page id or month is refused before any request', async (t) => {
  const { server, client } = await setup(t, { [CSV_PATH]: sendBytes(october, 'text/csv') })
  await t.rejects(client.fetchMonthlyCsv('IDCJDW3050/../../x', 2025, 10), RangeError)
  await t.rejects(client.fetchMonthlyCsv('3050', 2025, 10), RangeError)
  await t.rejects(client.fetchMonthlyCsv('IDCJDW3050', 2025, 13), RangeError)
  t.equal(server.seen.length, 0)
})

t.test('a connection dropped every time: a network UpstreamError after the retries', async (t) => {
  const { server, fetchOctober, sleeps } = await setup(t, { [CSV_PATH]: (request) => void request.socket.destroy() }, { retries: 1 })
  const error = await upstreamError(t, fetchOctober())
  t.equal(error.reason, 'network')
  t.equal(error.attempts, 2)
  t.equal(server.hitsOf(CSV_PATH), 2)
  t.same(sleeps, [200])
})
