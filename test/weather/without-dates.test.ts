import t from 'tap'
import { json } from '../helper.js'
import { TestClock } from '../helpers/clock.js'
import { MELBOURNE_NOVEMBER, MELBOURNE_OCTOBER, vicSite } from './bom-site.js'
import { setup, weather } from './setup.js'

t.test('without dates, the answer is the latest day before today with observations, and says so', async (t) => {
  const { ctx, key } = await setup(t)
  const response = await weather(ctx, key, 'location=Melbourne&state=VIC')
  t.equal(response.statusCode, 200, response.body)
  const body = json(response)
  // 5 November in Melbourne: today's row holds only the 9am figures, so the 4th is the answer.
  t.same(body.data.map((d: { date: string }) => d.date), ['2025-11-04'])
  t.equal(body.data[0].maximum_temperature_c, 18.9, 'a whole day of figures')
  t.match(body.metadata, { date_from: '2025-11-04', date_to: '2025-11-04', requested_dates: 1, coverage: 1, dates_chosen_by: 'latest_observed_day' })

  const asked = json(await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=2025-11-05'))
  t.equal(asked.metadata.dates_chosen_by, 'request', 'dates that are given are answered as given')
  t.same(asked.data.map((d: { date: string }) => d.date), ['2025-11-05'])
  const blank = json(await weather(ctx, key, 'location=Melbourne&state=VIC&date_from=&date_to='))
  t.equal(blank.metadata.dates_chosen_by, 'latest_observed_day', 'empty dates are no dates')
})

t.test('early in a month, the latest day is found in the month before', async (t) => {
  const { ctx, key } = await setup(t, vicSite({ [MELBOURNE_NOVEMBER]: (_req, res) => void res.writeHead(404).end() }), {
    clock: new TestClock(new Date('2025-11-01T03:00:00Z')),
  })
  const body = json(await weather(ctx, key, 'location=Melbourne&state=VIC'))
  t.same(body.data.map((d: { date: string }) => d.date), ['2025-10-31'])
  t.equal(body.metadata.dates_chosen_by, 'latest_observed_day')
})

t.test('a station without observations in the last 7 days asks for dates', async (t) => {
  const { ctx, key } = await setup(t, vicSite(), { clock: new TestClock(new Date('2025-11-20T03:00:00Z')) })
  // Its November file ends on the 5th: nothing from the 13th to the 19th.
  const response = await weather(ctx, key, 'location=Melbourne&state=VIC')
  t.equal(response.statusCode, 404)
  t.equal(json(response).code, 'NO_RECENT_OBSERVATIONS')
  t.match(json(response).error, /date_from and date_to/)
})

t.test('an upstream outage answers 502 with Retry-After, and is not charged', async (t) => {
  const down = (_req: unknown, res: { writeHead(code: number): { end(): void } }) => void res.writeHead(503).end()
  const { ctx, key, user } = await setup(t, vicSite({ [MELBOURNE_OCTOBER]: down, [MELBOURNE_NOVEMBER]: down }))
  for (const query of ['location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07', 'location=Melbourne&state=VIC']) {
    const response = await weather(ctx, key, query)
    t.equal(response.statusCode, 502, query)
    t.equal(json(response).code, 'UPSTREAM_UNAVAILABLE', query)
    t.equal(response.headers['retry-after'], '30', `${query}: Retry-After`)
    t.equal(json(response).retry_after, 30)
  }
  const usage = json(await ctx.app.inject({ method: 'GET', url: '/api/usage/monthly', headers: { authorization: `Bearer ${user.accessToken}` } }))
  t.equal(usage.quota.requests_used, 0, `nothing was charged: ${JSON.stringify(usage.quota)}`)
})
