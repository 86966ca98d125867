import t from 'tap'
import { get, insertUsage, moveClock, setup } from './helpers.js'

const EMPTY = { total_requests: 0, successful_requests: 0, failed_requests: 0, avg_response_time: 0, min_response_time: 0, max_response_time: 0, success_rate: 0 }

t.test('GET /api/usage/stats', async (t) => {
  const { ctx, user, other } = await setup(t)
  await insertUsage(ctx, user, [
    { timestamp: '2025-10-31T23:59:59.900Z', statusCode: 200, responseTimeMs: 1000 },
    { timestamp: '2025-11-01T00:00:00Z', statusCode: 200, responseTimeMs: 10.004 },
    { timestamp: '2025-11-10T08:00:00Z', statusCode: 201, responseTimeMs: 20 },
    { timestamp: '2025-11-12T08:00:00Z', statusCode: 304, responseTimeMs: 5 },
    { timestamp: '2025-11-14T08:00:00Z', statusCode: 404, responseTimeMs: 30 },
    { timestamp: '2025-11-30T23:59:59.999Z', statusCode: 500, responseTimeMs: 40 },
    { timestamp: '2025-12-01T00:00:00Z', statusCode: 200, responseTimeMs: 2000 },
  ])
  await insertUsage(ctx, other, [{ timestamp: '2025-11-15T00:00:00Z', statusCode: 200, responseTimeMs: 99999 }])

  t.test('defaults to the current UTC month', async (t) => {
    const { status, body } = await get(ctx, user, '/api/usage/stats')
    t.equal(status, 200)
    t.equal(body.success, true)
    t.same(body.period, { start_date: '2025-11-01', end_date: '2025-11-30' })
    t.same(body.stats, {
      total_requests: 5,
      successful_requests: 2,
      failed_requests: 3,
      avg_response_time: 21,
      min_response_time: 5,
      max_response_time: 40,
      success_rate: 40,
    })
    t.equal(body.total_requests, 5)
    t.equal(body.avg_response_time_ms, 21)
  })

  t.test('the range is inclusive of whole UTC days', async (t) => {
    const lastOfOctober = (await get(ctx, user, '/api/usage/stats?start_date=2025-10-31&end_date=2025-10-31')).body
    t.equal(lastOfOctober.stats.total_requests, 1, '23:59:59.900 on the 31st is October')
    t.equal(lastOfOctober.stats.max_response_time, 1000)
    const three = (await get(ctx, user, '/api/usage/stats?start_date=2025-10-31&end_date=2025-11-10')).body
    t.equal(three.stats.total_requests, 3)
    t.equal(three.stats.success_rate, 100)
    t.equal(three.stats.avg_response_time, 343.33)
    t.equal(three.stats.min_response_time, 10)
    const firstDays = (await get(ctx, user, '/api/usage/stats?start_date=2025-11-01&end_date=2025-11-12')).body
    t.equal(firstDays.stats.success_rate, 66.67, 'two decimals')
    const december = (await get(ctx, user, '/api/usage/stats?start_date=2025-12-01&end_date=2025-12-01')).body
    t.equal(december.stats.total_requests, 1, '00:00:00 on the 1st is December')
  })

  t.test('no requests: zeros', async (t) => {
    const body = (await get(ctx, user, '/api/usage/stats?start_date=2024-01-01&end_date=2024-12-31')).body
    t.same(body.stats, EMPTY, 'a 366-day range is allowed')
    t.same(body.period, { start_date: '2024-01-01', end_date: '2024-12-31' })
    t.equal(body.avg_response_time_ms, 0)
  })

  t.test("the neighbour's requests never count", async (t) => {
    const body = (await get(ctx, other, '/api/usage/stats')).body
    t.equal(body.stats.total_requests, 1)
    t.equal(body.stats.max_response_time, 99999)
  })

  t.test('one bound given: the other comes from the current month, or the given one', async (t) => {
    const since = (await get(ctx, user, '/api/usage/stats?start_date=2025-10-31')).body
    t.same(since.period, { start_date: '2025-10-31', end_date: '2025-11-30' })
    t.equal(since.stats.total_requests, 6)
    const until = (await get(ctx, user, '/api/usage/stats?end_date=2025-11-10')).body
    t.same(until.period, { start_date: '2025-11-01', end_date: '2025-11-10' })
    const earlier = (await get(ctx, user, '/api/usage/stats?end_date=2025-10-31')).body
    t.same(earlier.period, { start_date: '2025-10-01', end_date: '2025-10-31' })
    t.equal(earlier.stats.total_requests, 1)
    const later = (await get(ctx, user, '/api/usage/stats?start_date=2025-12-01')).body
    t.same(later.period, { start_date: '2025-12-01', end_date: '2025-12-31' })
    t.equal(later.stats.total_requests, 1)
  })

  t.test('bad dates and ranges are a 400 naming the field', async (t) => {
    const cases: [string, string][] = [
      ['start_date=2025-11-10&end_date=2025-11-09', 'end_date'],
      ['start_date=2024-01-01&end_date=2025-01-01', 'end_date'],
      ['start_date=2025-02-30', 'start_date'],
      ['start_date=abc', 'start_date'],
      ['end_date=2025-11', 'end_date'],
      ['end_date=2025-11-31', 'end_date'],
      ['start_date=1999-12-31', 'start_date'],
      ['start_date=2023-01-01', 'end_date'],
    ]
    for (const [query, field] of cases) {
      const { status, body } = await get(ctx, user, `/api/usage/stats?${query}`)
      t.equal(status, 400, query)
      t.equal(body.code, 'VALIDATION_ERROR')
      t.same(body.details.map((d: { field: string }) => d.field), [field], query)
    }
  })
})

t.test('the default month follows the clock', async (t) => {
  const { ctx, user } = await setup(t)
  await insertUsage(ctx, user, [{ timestamp: '2025-10-31T23:59:59.900Z' }, { timestamp: '2025-11-01T00:00:00Z' }, { timestamp: '2025-11-01T00:00:01Z' }])
  await moveClock(ctx, user, '2025-10-31T23:59:59.950Z')
  const october = (await get(ctx, user, '/api/usage/stats')).body
  t.same(october.period, { start_date: '2025-10-01', end_date: '2025-10-31' })
  t.equal(october.total_requests, 1)
  await moveClock(ctx, user, '2025-11-01T00:00:00Z')
  t.equal((await get(ctx, user, '/api/usage/stats')).body.total_requests, 2)
  await moveClock(ctx, user, '2024-02-10T00:00:00Z')
  t.same((await get(ctx, user, '/api/usage/stats')).body.period, { start_date: '2024-02-01', end_date: '2024-02-29' }, 'a leap February')
})
