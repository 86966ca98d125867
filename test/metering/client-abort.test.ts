import { request as httpRequest } from 'node:http'
import t from 'tap'
import { build, createUser, json } from '../helper.js'
import { fixture, startBomServer } from '../fixtures/bom/server.js'
import { listenOnFreePort } from '../helpers/ports.js'
import { MELBOURNE_OCTOBER, vicSite } from '../weather/bom-site.js'
import { createKey, metered, setFreeTier, settle, totalCounted, usageRows } from './helpers.js'

const SLOW_MS = 400

t.test('a client that hangs up is not charged, its slot comes back, and it stays in flight until its handler ends', async (t) => {
  let handlerReachedUpstream = false
  const bom = await startBomServer(
    vicSite({
      // The upstream answers slowly, so the client is gone long before the handler finishes.
      [MELBOURNE_OCTOBER]: (_req, res) => {
        handlerReachedUpstream = true
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/csv' }).end(fixture('csv/IDCJDW3050.202510.csv')), SLOW_MS)
      },
    }),
  )
  t.teardown(bom.close)
  const ctx = await build(t, { env: { BOM_BASE_URL: bom.baseUrl } })
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 1, rateLimitPerHour: 1_000 })
  const port = await listenOnFreePort(ctx.app.server)

  const hungUp = new Promise<void>((resolve) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01', headers: { 'x-api-key': key } })
    req.on('error', () => resolve())
    req.end()
    const poll = setInterval(() => {
      if (handlerReachedUpstream) {
        clearInterval(poll)
        req.destroy()
        resolve()
      }
    }, 5)
  })
  await hungUp
  t.equal(ctx.app.metering.inflight(), 1, 'the handler is still running after the client left')
  while (ctx.app.metering.inflight() > 0) await new Promise((resolve) => setTimeout(resolve, 10))
  await settle(ctx)
  t.equal(await usageRows(ctx, user), 0, 'no usage row for an unanswered request')
  t.equal(await totalCounted(ctx, user), 0)
  const next = await metered(ctx, key)
  t.equal(next.statusCode, 400, 'the quota of 1 is still available')
  t.not(json(next).code, 'QUOTA_EXCEEDED')
})
