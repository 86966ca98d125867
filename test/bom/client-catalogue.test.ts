import t, { type Test } from 'tap'
import type { StateCode } from '../../src/domain/states.js'
import { createBomClient, MAX_HTML_BYTES, type BomClientOptions } from '../../src/services/bom/client.js'
import { BomFormatError, UpstreamError } from '../../src/services/bom/errors.js'
import { fixture, sendBytes, startBomServer, type Route } from '../fixtures/bom/server.js'

const USER_AGENT = 'FetchaWeather/0.1.0 (+https://fetcha.example/contact)'
const INDEX = '/climate/dwo/IDCJDW0300.shtml'
const GROUPS = ['vic-a-e', 'vic-f-k', 'vic-l', 'vic-m-r', 'vic-s-z'].map((name) => `/climate/dwo/${name}.shtml`)
const page = (name: string): Route => sendBytes(fixture(`html/${name}`), 'text/html; charset=utf-8')

/** The VIC index and its letter groups as served by BOM; `overrides` replaces some paths. */
function vicRoutes(overrides: Record<string, Route> = {}): Record<string, Route> {
  const routes: Record<string, Route> = { [INDEX]: page('IDCJDW0300.shtml') }
  for (const path of GROUPS) routes[path] = page(path.slice('/climate/dwo/'.length))
  return { ...routes, ...overrides }
}

async function setup(t: Test, routes: Record<string, Route>, options: Partial<BomClientOptions> = {}) {
  const server = await startBomServer(routes)
  t.teardown(server.close)
  const sleeps: number[] = []
  const client = createBomClient({ baseUrl: `${server.baseUrl}/`, userAgent: USER_AGENT, sleep: async (ms) => void sleeps.push(ms), ...options })
  return { server, client, sleeps }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

t.test('a state catalogue: the index, then each letter group once, stations deduplicated', async (t) => {
  const { server, client } = await setup(t, vicRoutes())
  const stations = await client.fetchStateCatalogue('VIC')
  t.equal(stations.length, 28)
  t.same(stations[0], { pageId: 'IDCJDW3050', name: 'Melbourne (Olympic Park)' })
  t.equal(new Set(stations.map((station) => station.pageId)).size, stations.length, 'each page id once')
  t.same(stations.filter((station) => station.pageId === 'IDCJDW3050'), [{ pageId: 'IDCJDW3050', name: 'Melbourne (Olympic Park)' }])
  t.ok(stations.some((station) => station.name === 'Kilmore Gap & Broadford'))
  t.ok(stations.some((station) => station.name === "O'Shannassy Reservoir"))
  t.same(
    stations.slice(1, 4).map((station) => station.name),
    ['Aireys Inlet', 'Avalon', 'Ballarat'],
    'letter groups follow in page order',
  )
  t.same(stations.at(-1), { pageId: 'IDCJDW3099', name: 'Yarram' })
  t.same(server.seen.map((request) => request.path).sort(), [INDEX, ...GROUPS].sort(), 'only our origin, each page once')
  t.ok(
    server.seen.every((request) => request.userAgent === USER_AGENT),
    'every request carries the User-Agent',
  )
})

t.test('a letter group that fails once is retried', async (t) => {
  const flaky: Route = (request, response, hit) => (hit === 1 ? void response.writeHead(502).end() : page('vic-l.shtml')(request, response, hit))
  const { server, client, sleeps } = await setup(t, vicRoutes({ '/climate/dwo/vic-l.shtml': flaky }))
  const stations = await client.fetchStateCatalogue('VIC')
  t.equal(stations.length, 28)
  t.equal(server.hitsOf('/climate/dwo/vic-l.shtml'), 2)
  t.same(sleeps, [200])
})

t.test('a missing letter group fails the whole catalogue rather than returning part of it', async (t) => {
  const { server, client } = await setup(t, vicRoutes({ '/climate/dwo/vic-m-r.shtml': (_q, response) => void response.writeHead(404).end() }))
  const error = await rejection(client.fetchStateCatalogue('VIC'))
  t.ok(error instanceof UpstreamError, 'an UpstreamError')
  t.equal((error as UpstreamError).status, 404)
  t.match((error as UpstreamError).url, /vic-m-r\.shtml$/)
  t.equal(server.hitsOf('/climate/dwo/vic-m-r.shtml'), 1)
})

t.test('an index that keeps failing: an UpstreamError after retries + 1 attempts, no group fetched', async (t) => {
  const { server, client, sleeps } = await setup(t, vicRoutes({ [INDEX]: (_q, response) => void response.writeHead(503).end() }))
  const error = await rejection(client.fetchStateCatalogue('VIC'))
  t.ok(error instanceof UpstreamError, 'an UpstreamError')
  t.equal((error as UpstreamError).attempts, 3)
  t.equal(server.hitsOf(INDEX), 3)
  t.same(sleeps, [200, 800])
  t.equal(server.seen.length, 3, 'nothing else asked')
})

t.test('an index page without stations or letter groups is refused', async (t) => {
  const { client } = await setup(t, { [INDEX]: sendBytes('<html><body><h1>Maintenance</h1><a href="/">Home</a></body></html>', 'text/html') })
  const error = await rejection(client.fetchStateCatalogue('VIC'))
  t.ok(error instanceof BomFormatError, 'a BomFormatError')
  t.match((error as Error).message, /no stations found for VIC/)
})

t.test('stations listed on the index itself count when there are no letter groups', async (t) => {
  const { client } = await setup(t, {
    '/climate/dwo/IDCJDW0100.shtml': sendBytes('<ul><li><a href="IDCJDW2801.latest.shtml">Canberra</a></li><li><a href="IDCJDW2804.latest.shtml">Mount Ginini</a></li></ul>', 'text/html'),
  })
  t.same(await client.fetchStateCatalogue('ACT'), [
    { pageId: 'IDCJDW2801', name: 'Canberra' },
    { pageId: 'IDCJDW2804', name: 'Mount Ginini' },
  ])
})

t.test('Latin-1 pages are decoded', async (t) => {
  const latin1 = Buffer.concat([Buffer.from('<a href="IDCJDW7025.latest.shtml">Launceston</a><a href="IDCJDW7099.latest.shtml">Caf'), Buffer.from([0xe9]), Buffer.from(' Point</a>')])
  const { client } = await setup(t, { '/climate/dwo/IDCJDW0700.shtml': sendBytes(latin1, 'text/html; charset=iso-8859-1') })
  t.same(
    (await client.fetchStateCatalogue('TAS')).map((station) => station.name),
    ['Launceston', 'Café Point'],
  )
})

t.test('an oversize page is refused', async (t) => {
  const big = `<html>${' '.repeat(MAX_HTML_BYTES)}</html>`
  const { client, server } = await setup(t, vicRoutes({ '/climate/dwo/vic-l.shtml': sendBytes(big, 'text/html') }))
  const error = await rejection(client.fetchStateCatalogue('VIC'))
  t.ok(error instanceof UpstreamError, 'an UpstreamError')
  t.equal((error as UpstreamError).reason, 'too_large')
  t.equal(server.hitsOf('/climate/dwo/vic-l.shtml'), 1)
})

t.test('an unknown state is refused before any request', async (t) => {
  const { client, server } = await setup(t, vicRoutes())
  await t.rejects(client.fetchStateCatalogue('XYZ' as StateCode), RangeError)
  t.equal(server.seen.length, 0)
})

t.test('after a failed letter group no further group is fetched', async (t) => {
  const { server, client } = await setup(t, vicRoutes({ [GROUPS[0]!]: (_q, response) => void response.writeHead(404).end() }), { concurrency: 1 })
  t.ok((await rejection(client.fetchStateCatalogue('VIC'))) instanceof UpstreamError, 'an UpstreamError')
  t.same(
    server.seen.map((request) => request.path),
    [INDEX, GROUPS[0]],
  )
})

t.test('letter groups are fetched a few at a time', async (t) => {
  let inFlight = 0
  let most = 0
  const slow =
    (name: string): Route =>
    (request, response, hit) => {
      most = Math.max(most, ++inFlight)
      setTimeout(() => {
        inFlight--
        page(name)(request, response, hit)
      }, 30)
    }
  const overrides = Object.fromEntries(GROUPS.map((path) => [path, slow(path.slice('/climate/dwo/'.length))]))
  const { client } = await setup(t, vicRoutes(overrides), { concurrency: 2 })
  t.equal((await client.fetchStateCatalogue('VIC')).length, 28)
  t.equal(most, 2, 'two at once, never more')
})
