import t from 'tap'
import { json, type TestContext } from '../helper.js'
import { setup, setupFreeTier } from './setup.js'

const PAST = [
  '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-31',
  '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-31&format=csv',
  '/api/weather/summary?location=Melbourne&state=VIC&month=2025-10',
]

function get(ctx: TestContext, key: string, url: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key, ...headers } })
}

t.test('a past range carries a strong ETag and a day of private caching; If-None-Match gives 304', async (t) => {
  const { ctx, key } = await setup(t)
  for (const url of PAST) {
    const first = await get(ctx, key, url)
    t.equal(first.statusCode, 200, url)
    const etag = first.headers.etag as string
    t.match(etag, /^"[A-Za-z0-9_-]+"$/, 'strong: no W/ prefix')
    t.equal(first.headers['cache-control'], 'private, max-age=86400')
    const again = await get(ctx, key, url)
    t.equal(again.headers.etag, etag, 'the same content, the same ETag, though timing and quota differ')
    const notModified = await get(ctx, key, url, { 'if-none-match': etag })
    t.equal(notModified.statusCode, 304, url)
    t.equal(notModified.body, '', 'no body')
    t.equal(notModified.headers.etag, etag)
    t.ok(notModified.headers['x-quota-limit'], 'quota headers are still sent')
    t.equal((await get(ctx, key, url, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304, 'in a list, weak form')
    t.equal((await get(ctx, key, url, { 'if-none-match': '"other"' })).statusCode, 200)
  }
  const csvTag = (await get(ctx, key, PAST[1]!)).headers.etag
  t.not(csvTag, (await get(ctx, key, PAST[0]!)).headers.etag, 'JSON and CSV are different content')
  const fewer = await get(ctx, key, `${PAST[0]}&fields=rainfall_mm`)
  t.not(fewer.headers.etag, (await get(ctx, key, PAST[0]!)).headers.etag, 'a field selection is different content')
})

t.test('a range reaching today has no ETag and is always answered in full', async (t) => {
  const { ctx, key } = await setup(t)
  for (const url of [
    '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-11-01&date_to=2025-11-05',
    '/api/weather/summary?location=Melbourne&state=VIC&date_from=2025-11-01&date_to=2025-11-05',
  ]) {
    const response = await get(ctx, key, url, { 'if-none-match': '*' })
    t.equal(response.statusCode, 200, url)
    t.equal(response.headers.etag, undefined)
    t.equal(response.headers['cache-control'], undefined)
  }
})

t.test('a 304 is counted against the quota like any answer', async (t) => {
  const { ctx, key } = await setupFreeTier(t)
  const first = await get(ctx, key, PAST[0]!)
  const notModified = await get(ctx, key, PAST[0]!, { 'if-none-match': first.headers.etag as string })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.headers['x-quota-remaining'], '98', 'the 304 took a request')
  t.equal(json(await get(ctx, key, PAST[0]!)).meta.quota_used, 3)
})
