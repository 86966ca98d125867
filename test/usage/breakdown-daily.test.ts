import t from 'tap'
import { get, insertUsage, moveClock, setup } from './helpers.js'

const LOCATION = '/api/weather/location'
const STATIONS = '/api/weather/stations'
const STATES = '/api/weather/states'

t.test('GET /api/usage/breakdown and /daily', async (t) => {
  const { ctx, user, other } = await setup(t)
  await insertUsage(ctx, user, [
    { timestamp: '2025-10-31T23:59:59.900Z', endpoint: STATES, responseTimeMs: 1 },
    { timestamp: '2025-11-01T00:00:00Z', endpoint: LOCATION, responseTimeMs: 10 },
    { timestamp: '2025-11-01T23:59:59.999Z', endpoint: LOCATION, statusCode: 500, responseTimeMs: 20 },
    { timestamp: '2025-11-02T00:00:00Z', endpoint: LOCATION, responseTimeMs: 30.333 },
    { timestamp: '2025-11-02T10:00:00Z', endpoint: STATIONS, statusCode: 401, responseTimeMs: 5 },
    { timestamp: '2025-11-20T10:00:00Z', endpoint: STATIONS, responseTimeMs: 7 },
    { timestamp: '2025-11-30T12:00:00Z', endpoint: '/api/weather/z', responseTimeMs: 5 },
    { timestamp: '2025-11-30T23:59:59.999Z', endpoint: '/api/weather/a', responseTimeMs: 3 },
    { timestamp: '2025-12-01T00:00:00Z', endpoint: STATES, responseTimeMs: 1 },
  ])
  await insertUsage(ctx, other, Array.from({ length: 6 }, () => ({ timestamp: '2025-11-03T00:00:00Z', endpoint: '/api/weather/secret' })))

  t.test('breakdown: busiest endpoint first, ties by name', async (t) => {
    const { status, body } = await get(ctx, user, '/api/usage/breakdown')
    t.equal(status, 200)
    t.equal(body.success, true)
    t.equal(body.month, '2025-11')
    t.same(body.breakdown, [
      { endpoint: LOCATION, request_count: 3, successful_count: 2, avg_response_time: 20.11 },
      { endpoint: STATIONS, request_count: 2, successful_count: 1, avg_response_time: 6 },
      { endpoint: '/api/weather/a', request_count: 1, successful_count: 1, avg_response_time: 3 },
      { endpoint: '/api/weather/z', request_count: 1, successful_count: 1, avg_response_time: 5 },
    ])
  })

  t.test('breakdown: the month boundaries are exact', async (t) => {
    t.same((await get(ctx, user, '/api/usage/breakdown?month=2025-10')).body.breakdown, [
      { endpoint: STATES, request_count: 1, successful_count: 1, avg_response_time: 1 },
    ])
    t.same((await get(ctx, user, '/api/usage/breakdown?month=2025-12')).body.breakdown.map((b: { endpoint: string }) => b.endpoint), [STATES])
    t.same((await get(ctx, user, '/api/usage/breakdown?month=2025-09')).body.breakdown, [])
  })

  t.test('daily: one entry per UTC day with requests, oldest first', async (t) => {
    const { status, body } = await get(ctx, user, '/api/usage/daily?month=2025-11')
    t.equal(status, 200)
    t.equal(body.month, '2025-11')
    t.same(body.daily_usage, [
      { date: '2025-11-01', request_count: 2, successful_count: 1, avg_response_time: 15 },
      { date: '2025-11-02', request_count: 2, successful_count: 1, avg_response_time: 17.67 },
      { date: '2025-11-20', request_count: 1, successful_count: 1, avg_response_time: 7 },
      { date: '2025-11-30', request_count: 2, successful_count: 2, avg_response_time: 4 },
    ])
    t.same((await get(ctx, user, '/api/usage/daily')).body, body, 'the current month by default')
    t.same((await get(ctx, user, '/api/usage/daily?month=2025-10')).body.daily_usage, [
      { date: '2025-10-31', request_count: 1, successful_count: 1, avg_response_time: 1 },
    ])
    t.same((await get(ctx, user, '/api/usage/daily?month=2024-11')).body.daily_usage, [])
  })

  t.test("the neighbour's requests never show", async (t) => {
    for (const url of ['/api/usage/breakdown', '/api/usage/daily']) {
      t.notOk(JSON.stringify((await get(ctx, user, url)).body).includes('secret'), url)
    }
    const theirs = (await get(ctx, other, '/api/usage/breakdown')).body
    t.same(theirs.breakdown, [{ endpoint: '/api/weather/secret', request_count: 6, successful_count: 6, avg_response_time: 100 }])
    t.same((await get(ctx, other, '/api/usage/daily')).body.daily_usage, [{ date: '2025-11-03', request_count: 6, successful_count: 6, avg_response_time: 100 }])
  })

  t.test('the default month follows the clock', async (t) => {
    await moveClock(ctx, user, '2025-10-31T23:59:59.900Z')
    t.equal((await get(ctx, user, '/api/usage/breakdown')).body.month, '2025-10')
    t.equal((await get(ctx, user, '/api/usage/daily')).body.daily_usage.length, 1)
    await moveClock(ctx, user, '2025-12-01T00:00:00Z')
    t.same((await get(ctx, user, '/api/usage/daily')).body.daily_usage.map((d: { date: string }) => d.date), ['2025-12-01'])
  })

  t.test('a bad month is a 400 naming the field', async (t) => {
    for (const url of ['/api/usage/breakdown?month=2025-13', '/api/usage/daily?month=2025-00', '/api/usage/daily?month=Nov']) {
      const { status, body } = await get(ctx, user, url)
      t.equal(status, 400, url)
      t.equal(body.code, 'VALIDATION_ERROR')
      t.equal(body.details[0].field, 'month')
    }
  })
})
