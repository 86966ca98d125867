import t from 'tap'
import { json } from '../helper.js'
import { MELBOURNE_NOVEMBER, MELBOURNE_OCTOBER, VIC_INDEX, vicSite } from './bom-site.js'
import { setup, weather, setupFreeTier } from './setup.js'

t.test('seven days for Melbourne, exactly as in the CSV', async (t) => {
  const { ctx, bom, key } = await setup(t)
  const response = await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07')
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body), 'the length is of the bytes sent')
  const body = json(response)
  t.equal(body.station_id, 'IDCJDW3050')
  t.equal(body.station_name, 'Melbourne (Olympic Park)')
  t.equal(body.state, 'VIC')
  t.equal(body.data.length, 7)
  t.same(body.data[0], {
    date: '2025-10-01', minimum_temperature_c: 10.2, maximum_temperature_c: 18.5, rainfall_mm: 0, evaporation_mm: 4.2,
    sunshine_hours: 9.8, direction_of_maximum_wind_gust: 'SW', speed_of_maximum_wind_gust_km_h: 41, time_of_maximum_wind_gust: '14:22',
    '9am_temperature_c': 12.5, '9am_relative_humidity_percent': 75, '9am_cloud_amount_oktas': 3, '9am_wind_direction': 'SW',
    '9am_wind_speed_km_h': 9, '9am_msl_pressure_hpa': 1015.2, '3pm_temperature_c': 17.4, '3pm_relative_humidity_percent': 55,
    '3pm_cloud_amount_oktas': 5, '3pm_wind_direction': 'SSW', '3pm_wind_speed_km_h': 17, '3pm_msl_pressure_hpa': 1013.8,
  })
  t.equal(body.data[2].evaporation_mm, null, 'an empty cell is null')
  t.equal(body.data[2].sunshine_hours, null)
  t.equal(body.metadata.requested_dates, 7)
  t.equal(body.metadata.records_returned, 7)
  t.equal(body.metadata.coverage, 1)
  t.equal(body.cached, false)
  t.equal(bom.hitsOf(MELBOURNE_OCTOBER), 1)
  t.equal(bom.hitsOf(VIC_INDEX), 1)

  const again = json(await weather(ctx, key, 'location=melbourne&state=victoria&date_from=2025-10-01&date_to=2025-10-07'))
  t.same(again.data, body.data)
  t.equal(again.cached, true)
  t.equal(bom.hitsOf(MELBOURNE_OCTOBER), 1, 'a stored past month is never fetched again')
  t.equal(bom.hitsOf(VIC_INDEX), 1, 'the catalogue is stored')
})

t.test('Calm is a wind speed of 0', async (t) => {
  const { ctx, key } = await setup(t)
  const body = json(await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-08'))
  t.equal(body.data[0]['9am_wind_speed_km_h'], 0)
  t.equal(body.data[0]['3pm_wind_direction'], 'SW')
})

t.test('20 concurrent first requests make one upstream call per missing month', async (t) => {
  const { ctx, bom, key } = await setup(t)
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-25&date_to=2025-11-03')),
  )
  t.same([...new Set(responses.map((r) => r.statusCode))], [200])
  t.equal(bom.hitsOf(MELBOURNE_OCTOBER), 1)
  t.equal(bom.hitsOf(MELBOURNE_NOVEMBER), 1)
  t.equal(bom.hitsOf(VIC_INDEX), 1)
})

t.test('the current month is refetched after its TTL', async (t) => {
  const { ctx, bom, key } = await setup(t)
  const query = 'location=Melbourne&state=VIC&date_from=2025-11-01&date_to=2025-11-04'
  t.equal((await weather(ctx, key, query)).statusCode, 200)
  t.equal((await weather(ctx, key, query)).statusCode, 200)
  t.equal(bom.hitsOf(MELBOURNE_NOVEMBER), 1, 'within the TTL the stored file is served')
  ctx.clock.advance(61 * 60_000)
  t.equal((await weather(ctx, key, query)).statusCode, 200)
  t.equal(bom.hitsOf(MELBOURNE_NOVEMBER), 2, 'after it the file is fetched again')
})

t.test('errors', async (t) => {
  const { ctx, key } = await setup(t)
  const cases: [string, number, string][] = [
    ['location=Melbourne&state=XX', 400, 'INVALID_STATE'],
    ['location=Melbourne&state=VIC&date_from=2025-13-01', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&date_from=2025-02-30', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&date_from=2025-11-06', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&date_from=2025-10-07&date_to=2025-10-01', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&date_from=2025-01-01&date_to=2025-10-01', 400, 'RANGE_TOO_LARGE'],
    ['state=VIC', 400, 'VALIDATION_ERROR'],
    ['location=Atlantis&state=VIC&date_from=2025-10-01', 404, 'LOCATION_NOT_FOUND'],
  ]
  for (const [query, status, code] of cases) {
    const response = await weather(ctx, key, query)
    t.equal(response.statusCode, status, query)
    t.equal(json(response).code, code, query)
  }
  const miss = json(await weather(ctx, key, 'location=Melborne&state=VIC&date_from=2025-10-01'))
  t.ok(miss.suggestions.some((s: string) => s.startsWith('Melbourne')), 'close names are suggested')
})

t.test('upstream down: 502 with nothing stored, stored data still served', async (t) => {
  const { ctx, bom, key } = await setup(t, vicSite({ [MELBOURNE_OCTOBER]: (_req, res) => void res.writeHead(503).end() }))
  const down = await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07')
  t.equal(down.statusCode, 502)
  t.equal(json(down).code, 'UPSTREAM_UNAVAILABLE')
  t.ok(bom.hitsOf(MELBOURNE_OCTOBER) >= 1)
  const stored = json(await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-11-01&date_to=2025-11-04'))
  t.equal(stored.data.length, 4)
})

t.test('meta reports the quota of a metered tier', async (t) => {
  const { ctx, key } = await setupFreeTier(t)
  const response = await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-01')
  t.equal(response.statusCode, 200)
  t.same(json(response).meta.tier, 'free')
  t.same(
    { limit: json(response).meta.quota_limit, used: json(response).meta.quota_used, remaining: json(response).meta.quota_remaining },
    { limit: 100, used: 1, remaining: 99 },
  )
  t.equal(response.headers['x-quota-remaining'], '99')
})

t.test('dates before 1800 are INVALID_DATE, not an error', async (t) => {
  const { ctx, key } = await setup(t)
  for (const date of ['0999-12-31', '0100-01-01', '1799-12-31']) {
    const response = await weather(ctx, key, `location=Melbourne&state=VIC&date_from=${date}`)
    t.equal(response.statusCode, 400, date)
    t.equal(json(response).code, 'INVALID_DATE')
  }
})
