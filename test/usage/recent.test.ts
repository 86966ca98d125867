import t from 'tap'
import { apiKeyOf, get, insertUsage, setup } from './helpers.js'

const FIELDS = ['api_key_id', 'date_from', 'date_to', 'endpoint', 'error_message', 'id', 'location', 'response_time_ms', 'state', 'status_code', 'timestamp']

t.test('GET /api/usage/recent', async (t) => {
  const { ctx, user, other } = await setup(t)
  await apiKeyOf(ctx, user)
  const [key] = await ctx.app.apiKeys.list(user.id, true)
  // Twelve requests an hour apart, across the October/November boundary.
  await insertUsage(ctx, user, Array.from({ length: 12 }, (_, i) => ({
    timestamp: new Date(Date.parse('2025-10-31T18:00:00Z') + i * 3_600_000),
    location: `Place ${i}`,
    responseTimeMs: 10 + i,
  })))
  await insertUsage(ctx, user, [{
    timestamp: '2025-11-15T11:00:00Z',
    endpoint: '/api/weather/location',
    location: 'Melbourne',
    state: 'VIC',
    dateFrom: '2025-10-01',
    dateTo: '2025-10-07',
    statusCode: 404,
    responseTimeMs: 12.5,
    errorMessage: 'No station matches',
    ipAddress: '203.0.113.7',
    userAgent: 'curl/8',
    apiKeyId: key!.id,
  }])
  await insertUsage(ctx, other, Array.from({ length: 5 }, () => ({ timestamp: '2025-11-15T11:30:00Z', ipAddress: '198.51.100.1', location: 'Secret' })))

  t.test('the newest ten by default, under both names', async (t) => {
    const { status, body } = await get(ctx, user, '/api/usage/recent')
    t.equal(status, 200)
    t.equal(body.success, true)
    t.equal(body.total, 10)
    t.equal(body.requests.length, 10)
    t.same(body.recent_requests, body.requests)
    const times = body.requests.map((r: { timestamp: string }) => r.timestamp)
    t.same(times, [...times].sort().reverse(), 'newest first')
    t.same(body.requests[0], {
      id: body.requests[0].id,
      endpoint: '/api/weather/location',
      location: 'Melbourne',
      state: 'VIC',
      date_from: '2025-10-01',
      date_to: '2025-10-07',
      status_code: 404,
      response_time_ms: 12.5,
      error_message: 'No station matches',
      timestamp: '2025-11-15T11:00:00.000Z',
      api_key_id: key!.id,
    })
    for (const row of body.requests) t.same(Object.keys(row).sort(), FIELDS)
    t.equal(body.requests[1].location, 'Place 11')
    t.equal(body.requests[1].api_key_id, null)
  })

  t.test('limit, and only the user’s own rows', async (t) => {
    const three = (await get(ctx, user, '/api/usage/recent?limit=3')).body
    t.equal(three.total, 3)
    t.same(three.requests.map((r: { location: string }) => r.location), ['Melbourne', 'Place 11', 'Place 10'])
    const all = (await get(ctx, user, '/api/usage/recent?limit=100')).body
    t.equal(all.total, 13)
    t.notOk(JSON.stringify(all).includes('Secret'), "none of the neighbour's rows")
    t.notOk(JSON.stringify(all).includes('203.0.113.7'), 'no IP addresses at all')
    const theirs = (await get(ctx, other, '/api/usage/recent?limit=100')).body
    t.equal(theirs.total, 5)
    t.notOk(JSON.stringify(theirs).includes('198.51.100.1'))
  })

  t.test('requests at the same instant come newest id first', async (t) => {
    const { ctx, user } = await setup(t)
    await insertUsage(ctx, user, [{ timestamp: '2025-11-02T00:00:00Z', location: 'first' }])
    await insertUsage(ctx, user, [{ timestamp: '2025-11-02T00:00:00Z', location: 'second' }])
    const body = (await get(ctx, user, '/api/usage/recent')).body
    t.same(body.requests.map((r: { location: string }) => r.location), ['second', 'first'])
  })

  t.test('a user without requests gets an empty list', async (t) => {
    const { ctx, user } = await setup(t)
    const { status, body } = await get(ctx, user, '/api/usage/recent')
    t.equal(status, 200)
    t.same(body, { success: true, requests: [], recent_requests: [], total: 0, next_before: null })
  })

  t.test('a limit outside 1–100 is a 400 naming the field', async (t) => {
    for (const limit of ['0', '101', '1e9', 'abc', '-1', '2.5', '']) {
      const { status, body } = await get(ctx, user, `/api/usage/recent?limit=${limit}`)
      t.equal(status, 400, `limit=${limit}`)
      t.equal(body.code, 'VALIDATION_ERROR')
      t.same(body.details.map((d: { field: string }) => d.field), ['limit'])
    }
    t.equal((await get(ctx, user, '/api/usage/recent?limit=1')).body.total, 1)
  })

  t.test('pages: next_before continues with older requests, without gaps or repeats, to the end', async (t) => {
    const { ctx, user } = await setup(t)
    // Two rows share each instant, so a page boundary falls between rows of one instant.
    await insertUsage(ctx, user, Array.from({ length: 9 }, (_, i) => ({
      timestamp: new Date(Date.parse('2025-11-10T00:00:00.000Z') + Math.floor(i / 2) * 1_000 + 0.25),
      location: `Row ${i}`,
    })))
    const seen: string[] = []
    let before: string | null = null
    let pages = 0
    do {
      const query: string = `/api/usage/recent?limit=4${before ? `&before=${encodeURIComponent(before)}` : ''}`
      const { status, body } = await get(ctx, user, query)
      t.equal(status, 200)
      seen.push(...body.requests.map((r: { location: string }) => r.location))
      before = body.next_before
      pages++
    } while (before && pages < 10)
    t.equal(pages, 3, 'four, four, then one')
    t.same([...seen].sort(), Array.from({ length: 9 }, (_, i) => `Row ${i}`).sort(), 'every row once')
    t.equal(new Set(seen).size, 9)
  })

  t.test('a before that is not a cursor of ours is a 400 naming the field, never a 500', async (t) => {
    for (const before of ['yesterday', '2025-13-01T00:00:00.000000Z_1', '2025-02-30T00:00:00.000000Z_1', '2025-11-01T25:00:00.000000Z_1', '2025-11-01T00:00:00Z_1', '2025-11-01T00:00:00.000000Z_', `2025-11-01T00:00:00.000000Z_${'9'.repeat(16)}`]) {
      const { status, body } = await get(ctx, user, `/api/usage/recent?before=${encodeURIComponent(before)}`)
      t.equal(status, 400, `before=${before}`)
      t.same(body.details.map((d: { field: string }) => d.field), ['before'])
    }
  })
})
