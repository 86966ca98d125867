import t from 'tap'
import { build, createUser, json } from '../helper.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { VIC_INDEX, vicSite } from './bom-site.js'

async function setup(t: Parameters<typeof build>[0], routes = vicSite()) {
  const bom = await startBomServer(routes)
  t.teardown(bom.close)
  const ctx = await build(t, { env: { BOM_BASE_URL: bom.baseUrl } })
  const user = await createUser(ctx)
  const created = json(await ctx.app.inject({ method: 'POST', url: '/api/keys', payload: {}, headers: { authorization: `Bearer ${user.accessToken}` } }))
  ctx.secrets.add(created.key_value)
  const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': created.key_value } })
  return { ctx, bom, get }
}

t.test('GET /api/weather/states is public and lists the eight states', async (t) => {
  const { ctx } = await setup(t)
  const response = await ctx.app.inject({ method: 'GET', url: '/api/weather/states' })
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.total, 8)
  t.same(body.states.find((s: { code: string }) => s.code === 'VIC'), { code: 'VIC', name: 'Victoria', bom_code: 'IDCJDW0300' })
})

t.test('GET /api/weather/stations reads the catalogue once and filters it', async (t) => {
  const { bom, get } = await setup(t)
  const all = json(await get('/api/weather/stations?state=Victoria'))
  t.equal(all.state, 'VIC')
  t.equal(all.total, 28)
  const filtered = json(await get('/api/weather/stations?state=vic&q=MEL'))
  t.ok(filtered.total >= 2)
  t.ok(filtered.stations.every((s: { name: string }) => s.name.toLowerCase().includes('mel')))
  t.ok(filtered.stations.some((s: { station_id: string }) => s.station_id === 'IDCJDW3050'))
  t.equal(json(await get('/api/weather/stations?state=vic&limit=3')).total, 3)
  t.equal(bom.hitsOf(VIC_INDEX), 1, 'the catalogue is read from BOM once, then stored')
})

t.test('bad input and an unreachable upstream', async (t) => {
  const { get } = await setup(t, vicSite({ [VIC_INDEX]: (_req, res) => void res.writeHead(500).end() }))
  const cases: [string, number, string][] = [
    ['/api/weather/stations', 400, 'VALIDATION_ERROR'],
    ['/api/weather/stations?state=Atlantis', 400, 'INVALID_STATE'],
    ['/api/weather/stations?state=VIC&limit=0', 400, 'VALIDATION_ERROR'],
    ['/api/weather/stations?state=VIC&limit=1e9', 400, 'VALIDATION_ERROR'],
    [`/api/weather/stations?state=VIC&q=${'x'.repeat(101)}`, 400, 'VALIDATION_ERROR'],
    ['/api/weather/stations?state=VIC', 502, 'UPSTREAM_UNAVAILABLE'],
  ]
  for (const [url, status, code] of cases) {
    const response = await get(url)
    t.equal(response.statusCode, status, url)
    t.equal(json(response).code, code, url)
  }
})

