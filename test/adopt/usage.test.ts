import t from 'tap'
import { LEGACY_KEYS, LEGACY_PASSWORDS } from '../fixtures/legacy/accounts.js'
import { defaultPartitionRows, partitionMonths } from '../../src/services/usage/partitions.js'
import { json, login, request, type TestContext } from '../helper.js'
import { weather } from '../weather/setup.js'
import { adoptedApp } from './adopted-app.js'
import { ALICE_MONTHS } from './old-service-rows.js'

const MELBOURNE = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-03'

async function session(ctx: TestContext, email: string, password: string) {
  const token: string = json(await login(ctx, email, password)).access_token
  return async (url: string) => {
    const response = await request(ctx, 'GET', url, undefined, token)
    return { status: response.statusCode, body: String(response.headers['content-type']).startsWith('text/csv') ? response.body : json(response) }
  }
}

t.test('old usage stays visible in every report, and this month\'s quota goes on from the old count', async (t) => {
  const { adoption, ctx } = await adoptedApp(t)
  t.equal(adoption.outcome.kind, 'adopted', adoption.report)
  const alice = await session(ctx, 'alice@example.com', LEGACY_PASSWORDS.alice.password)

  await t.test('/recent lists the old rows with their ids, times read as UTC, and their keys', async (t) => {
    const { status, body } = await alice('/api/usage/recent?limit=100')
    t.equal(status, 200)
    const ids = body.requests.map((r: { id: number }) => r.id)
    t.same(ids, Array.from({ length: 19 }, (_, i) => 19 - i), 'all 19 of Alice\'s rows, newest first, with their old ids')
    const first = body.requests.find((r: { id: number }) => r.id === 1)
    t.match(first, { timestamp: '2025-08-03T23:30:00.000Z', date_from: '2025-08-01', date_to: '2025-08-03', status_code: 200, api_key_id: 1, location: 'Melbourne' })
    t.equal(body.requests.find((r: { id: number }) => r.id === 2).date_to, null, 'an empty date text is no date')
    t.equal(body.requests.find((r: { id: number }) => r.id === 3).api_key_id, null, 'a row without a key stays without one')
  })

  await t.test('/stats, /daily and /breakdown count the old rows in UTC days', async (t) => {
    const stats = (await alice('/api/usage/stats?start_date=2025-08-01&end_date=2025-08-31')).body.stats
    t.match(stats, { total_requests: 5, successful_requests: 4, failed_requests: 1, min_response_time: 15, max_response_time: 150 })
    const daily = (await alice('/api/usage/daily?month=2025-08')).body.daily_usage
    t.same(daily.map((d: { date: string; request_count: number }) => [d.date, d.request_count]), [['2025-08-03', 2], ['2025-08-10', 1], ['2025-08-11', 1], ['2025-08-12', 1]],
      'a naive 23:30 stays on its UTC day')
    const october = (await alice('/api/usage/daily?month=2025-10')).body.daily_usage
    t.same(october.at(-1), { date: '2025-10-31', request_count: 1, successful_count: 1, avg_response_time: 70 }, 'a naive 23:59:59 on the 31st is still October')
    const breakdown = (await alice('/api/usage/breakdown?month=2025-09')).body.breakdown
    t.same(breakdown, [{ endpoint: '/api/weather/location', request_count: 3, successful_count: 3, avg_response_time: 100 }])
  })

  await t.test('each old month has its partition: nothing is left to the default one', async (t) => {
    const months = Object.keys(ALICE_MONTHS)
    const partitions = await partitionMonths(ctx.app.db)
    t.same(months.filter((m) => !partitions.includes(m)), [], 'every month of the old rows')
    t.equal(await defaultPartitionRows(ctx.app.db), 0)
  })

  await t.test('/export holds every old row of the month', async (t) => {
    const { status, body } = await alice('/api/usage/export?month=2025-09&format=csv')
    t.equal(status, 200)
    const lines = (body as string).trim().split('\r\n')
    t.equal(lines.length, 1 + ALICE_MONTHS['2025-09'].rows, 'a header and three rows')
    t.match(lines[1], /Perth/)
  })

  await t.test('/monthly shows the figures the old service billed, even where its usage rows count more', async (t) => {
    for (const [month, { billed }] of Object.entries(ALICE_MONTHS)) {
      t.equal((await alice(`/api/usage/monthly?month=${month}`)).body.usage.total_requests, billed, month)
    }
    t.match((await alice('/api/usage/monthly?month=2025-08')).body.usage, { successful_requests: 4, failed_requests: 1, total_response_time_ms: 460, last_updated: '2025-08-12T03:00:00.000Z' })
  })

  await t.test('the quota of this month counts what the old service counted', async (t) => {
    t.match((await alice('/api/usage/monthly')).body.quota, { requests_used: 6, quota_limit: 5000, requests_remaining: 4994 })
    const first = await weather(ctx, LEGACY_KEYS.hashed, MELBOURNE)
    t.equal(first.statusCode, 200)
    t.match(json(first).meta, { tier: 'pro', quota_limit: 5000, quota_used: 7, quota_remaining: 4993 }, 'the first request after the switch is the 7th of the month')
    t.equal(first.headers['x-quota-remaining'], '4993')
    const bob = await weather(ctx, LEGACY_KEYS.oldShape, MELBOURNE)
    t.match(json(bob).meta, { tier: 'free', quota_limit: 100, quota_used: 3 }, 'Bob had used 2 of his 100')
    await ctx.app.metering.recorder.drain()
    const after = await alice('/api/usage/monthly')
    t.equal(after.body.usage.total_requests, 7, 'the new request adds to the old counter')
    t.equal((await alice('/api/usage/recent?limit=1')).body.requests[0].id > 500, true, 'and its row has a new id')
  })
})
