import t, { type Test } from 'tap'
import { json, type TestContext } from '../helper.js'
import { MELBOURNE_OCTOBER } from './bom-site.js'
import { setup, weather, setupFreeTier } from './setup.js'

type Day = Record<string, number | string | null>

function summary(ctx: TestContext, key: string, query: string) {
  return ctx.app.inject({ method: 'GET', url: `/api/weather/summary?${query}`, headers: { 'x-api-key': key } })
}

const values = (days: Day[], field: string) => days.map((d) => d[field]).filter((v): v is number => typeof v === 'number')
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length)

/** The month's figures worked out here from the day records the JSON route answers. */
function expected(days: Day[]) {
  const rain = values(days, 'rainfall_mm')
  const gusts = days.filter((d) => typeof d.speed_of_maximum_wind_gust_km_h === 'number')
  const top = gusts.reduce<Day | undefined>((best, d) => (!best || (d.speed_of_maximum_wind_gust_km_h as number) > (best.speed_of_maximum_wind_gust_km_h as number) ? d : best), undefined)
  const temperature = (field: string) => {
    const xs = values(days, field)
    return { mean: mean(xs), min: xs.length ? Math.min(...xs) : null, max: xs.length ? Math.max(...xs) : null }
  }
  return {
    days_with_data: days.length,
    minimum_temperature_c: temperature('minimum_temperature_c'),
    maximum_temperature_c: temperature('maximum_temperature_c'),
    rainfall_mm: {
      total: rain.length ? rain.reduce((a, b) => a + b, 0) : null,
      rain_days_0_2_mm: rain.length ? rain.filter((r) => r >= 0.2).length : null,
      rain_days_1_mm: rain.length ? rain.filter((r) => r >= 1).length : null,
    },
    max_wind_gust: { speed_km_h: top?.speed_of_maximum_wind_gust_km_h ?? null, date: top?.date ?? null, direction: top?.direction_of_maximum_wind_gust ?? null },
    relative_humidity_percent: { mean_9am: mean(values(days, '9am_relative_humidity_percent')), mean_3pm: mean(values(days, '3pm_relative_humidity_percent')) },
  }
}

/** Equal, allowing for the rounding of means (2 places, humidity 1) and totals (1 place). */
function near(t: Test, actual: unknown, wanted: unknown, path: string) {
  if (typeof wanted === 'number' && typeof actual === 'number') t.ok(Math.abs(actual - wanted) <= 0.051, `${path}: ${actual} ≈ ${wanted}`)
  else if (wanted !== null && typeof wanted === 'object') for (const [k, v] of Object.entries(wanted)) near(t, (actual as Record<string, unknown>)?.[k], v, `${path}.${k}`)
  else t.equal(actual, wanted, path)
}

t.test('October 2025: every figure matches the one computed from the day records', async (t) => {
  const { ctx, key } = await setup(t)
  const response = await summary(ctx, key, 'location=Melbourne&state=VIC&month=2025-10')
  t.equal(response.statusCode, 200, response.body)
  const body = json(response)
  t.equal(body.station_id, 'IDCJDW3050')
  t.same([body.date_from, body.date_to], ['2025-10-01', '2025-10-31'])
  t.equal(body.months.length, 1)
  const month = body.months[0]
  t.equal(month.month, '2025-10')
  t.equal(month.days_requested, 31)
  const days = json(await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-31')).data as Day[]
  t.equal(month.coverage, Math.round((days.length / 31) * 1000) / 1000)
  near(t, month, expected(days), 'october')
  t.ok(month.rainfall_mm.rain_days_0_2_mm >= month.rainfall_mm.rain_days_1_mm)
  t.type(body.meta.quota_used, 'number')
})

t.test('a range over two months: one entry each, the current month up to the range end', async (t) => {
  const { ctx, key } = await setup(t)
  const body = json(await summary(ctx, key, 'station_id=IDCJDW3050&date_from=2025-10-25&date_to=2025-11-03'))
  t.same(body.months.map((m: { month: string }) => m.month), ['2025-10', '2025-11'])
  t.same(body.months.map((m: { days_requested: number }) => m.days_requested), [7, 3])
  for (const [i, [from, to]] of [['2025-10-25', '2025-10-31'], ['2025-11-01', '2025-11-03']].entries()) {
    const days = json(await weather(ctx, key, `station_id=IDCJDW3050&date_from=${from}&date_to=${to}`)).data as Day[]
    near(t, body.months[i], expected(days), body.months[i].month)
  }
  const current = json(await summary(ctx, key, 'station_id=IDCJDW3050&month=2025-11'))
  t.same([current.date_from, current.date_to], ['2025-11-01', '2025-11-04'], 'the current month ends yesterday')
})

t.test('a month with no stored days: every figure null, coverage 0', async (t) => {
  const { ctx, key } = await setup(t)
  const body = json(await summary(ctx, key, 'station_id=IDCJDW3050&month=2025-09'))
  const month = body.months[0]
  t.equal(month.days_with_data, 0)
  t.equal(month.coverage, 0)
  t.same(month.minimum_temperature_c, { mean: null, min: null, max: null })
  t.same(month.rainfall_mm, { total: null, rain_days_0_2_mm: null, rain_days_1_mm: null })
  t.same(month.max_wind_gust, { speed_km_h: null, date: null, direction: null })
  t.same(month.relative_humidity_percent, { mean_9am: null, mean_3pm: null })
})

t.test('bad input is a 4xx with a stable code', async (t) => {
  const { ctx, key } = await setup(t)
  const cases: [string, number, string][] = [
    ['location=Melbourne&state=VIC', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&month=2025-13', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&month=2025-1', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&month=2025-12', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&month=2025-10&date_from=2025-10-01', 400, 'INVALID_DATE'],
    ['location=Melbourne&state=VIC&date_from=2025-01-01&date_to=2025-10-01', 400, 'RANGE_TOO_LARGE'],
    ['month=2025-10', 400, 'VALIDATION_ERROR'],
    ['location=Atlantis&state=VIC&month=2025-10', 404, 'LOCATION_NOT_FOUND'],
    ['station_id=IDCJDW3999&month=2025-10', 404, 'STATION_NOT_FOUND'],
    ['station_id=IDCJDW3050&state=NSW&month=2025-10', 400, 'STATION_MISMATCH'],
  ]
  for (const [query, status, code] of cases) {
    const response = await summary(ctx, key, query)
    t.equal(response.statusCode, status, query)
    t.equal(json(response).code, code, query)
  }
})

t.test('a summary is metered, and a stored month is not fetched again', async (t) => {
  const { ctx, key, bom } = await setupFreeTier(t)
  const first = await summary(ctx, key, 'location=Melbourne&state=VIC&month=2025-10')
  t.equal(first.headers['x-quota-remaining'], '99')
  t.equal(json(first).meta.quota_used, 1)
  const second = json(await summary(ctx, key, 'location=Melbourne&state=VIC&month=2025-10'))
  t.equal(second.meta.quota_used, 2)
  t.equal(bom.hitsOf(MELBOURNE_OCTOBER), 1)
})
