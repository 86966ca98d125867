import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { json } from '../helper.js'
import { setup } from './setup.js'

const MONTH = '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-31'

t.test('answers over 1 KB are compressed when the client accepts it, JSON and CSV alike', async (t) => {
  const { ctx, key } = await setup(t)
  const plain = await ctx.app.inject({ method: 'GET', url: MONTH, headers: { 'x-api-key': key } })
  t.equal(plain.headers['content-encoding'], undefined, 'not without Accept-Encoding')
  for (const url of [MONTH, `${MONTH}&format=csv`]) {
    const zipped = await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key, 'accept-encoding': 'gzip' } })
    t.equal(zipped.statusCode, 200)
    t.equal(zipped.headers['content-encoding'], 'gzip', url)
    t.ok(zipped.headers['x-quota-limit'], 'the quota headers are kept')
    const body = gunzipSync(zipped.rawPayload)
    t.ok(body.length > 1024)
    t.ok(zipped.rawPayload.length < body.length / 2, 'a month shrinks to less than half')
    if (!url.endsWith('csv')) t.same(JSON.parse(body.toString()).data, json(plain).data)
  }
})

t.test('small answers are sent as they are', async (t) => {
  const { ctx, key } = await setup(t)
  const day = await ctx.app.inject({
    method: 'GET',
    url: '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&format=csv&fields=rainfall_mm',
    headers: { 'x-api-key': key, 'accept-encoding': 'gzip' },
  })
  t.equal(day.statusCode, 200)
  t.equal(day.headers['content-encoding'], undefined)
  t.equal(day.body, 'date,rainfall_mm\r\n2025-10-01,0\r\n')
})
