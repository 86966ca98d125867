import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { quotaLeases, type UsageRow } from '../../src/db/schema/index.js'
import { utcMonth } from '../../src/services/metering/months.js'
import { createQuotaLeases } from '../../src/services/metering/quota-leases.js'
import { createUsageRecorder } from '../../src/services/metering/usage-recorder.js'
import { build, createUser, type TestContext } from '../helper.js'
import { counters, usageRows } from './helpers.js'

function row(userId: number, requestId: string, at: Date, statusCode = 200): UsageRow {
  return { requestId, userId, endpoint: '/api/weather/location', responseTimeMs: 12.5, statusCode, timestamp: at }
}

/** A recorder of its own over the test's database, with the leases it flushes. */
function recorderFor(ctx: TestContext, options: { maxBuffered?: number; onDropped?: (count: number) => void } = {}) {
  const leases = createQuotaLeases({ db: ctx.app.db, clock: ctx.clock, instanceId: randomUUID() })
  const recorder = createUsageRecorder({ db: ctx.app.db, clock: ctx.clock, leases, maxBuffered: options.maxBuffered ?? 10, ...(options.onDropped ? { onDropped: options.onDropped } : {}) })
  return { leases, recorder }
}

t.test('a flush sent twice counts once: rows are keyed by request id and counters follow the rows inserted', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const { recorder } = recorderFor(ctx)
  const at = ctx.clock.now()
  const ids = [randomUUID(), randomUUID(), randomUUID()]
  for (const id of ids) recorder.record(row(user.id, id, at, id === ids[2] ? 404 : 200))
  await recorder.drain()
  // The same rows again, as a retry after an unclear commit would send them.
  for (const id of ids) recorder.record(row(user.id, id, at))
  await recorder.drain()
  t.equal(await usageRows(ctx, user), 3)
  const [monthly] = await counters(ctx, user)
  t.equal(monthly?.totalRequests, 3)
  t.equal(monthly?.successfulRequests, 2)
  t.equal(monthly?.failedRequests, 1)
  t.equal(monthly?.totalResponseTimeMs, 37.5)
})

t.test('the buffer is bounded', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const { recorder } = recorderFor(ctx, { maxBuffered: 2 })
  recorder.record(row(user.id, randomUUID(), ctx.clock.now()))
  t.equal(recorder.full(), false)
  recorder.record(row(user.id, randomUUID(), ctx.clock.now()))
  t.equal(recorder.full(), true, 'metered requests are refused (503) rather than rows dropped')
  await recorder.drain()
  t.equal(recorder.full(), false)
  t.equal(recorder.buffered(), 0)
})

t.test("a deleted user's rows are dropped, not allowed to block everyone else's", async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const dropped: number[] = []
  const { recorder } = recorderFor(ctx, { onDropped: (n) => dropped.push(n) })
  recorder.record(row(user.id, randomUUID(), ctx.clock.now()))
  recorder.record(row(2_000_000_000, randomUUID(), ctx.clock.now()))
  await recorder.drain()
  t.same(dropped, [1])
  t.equal(recorder.buffered(), 0)
  t.equal(await usageRows(ctx, user), 1, "the existing user's row is written")
})

t.test('rows of a flush that fails stay buffered', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const { recorder } = recorderFor(ctx)
  // A status code beyond smallint fails the whole insert, as an unreachable database would.
  recorder.record(row(user.id, randomUUID(), ctx.clock.now()))
  recorder.record(row(user.id, randomUUID(), ctx.clock.now(), 70_000))
  await t.rejects(recorder.flush())
  t.equal(recorder.buffered(), 2, 'nothing was lost')
  t.equal(await usageRows(ctx, user), 0, 'nothing was half-written')
})

t.test('a lease in use keeps its free slots across a flush; one left idle for a flush gives them back', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const { leases, recorder } = recorderFor(ctx)
  const held = async () => (await ctx.app.db.select({ granted: quotaLeases.granted }).from(quotaLeases).where(eq(quotaLeases.userId, user.id)))[0]?.granted ?? 0
  const month = utcMonth(ctx.clock.now())

  const reservation = await leases.reserve(user.id, month, 1_000)
  if (reservation.kind !== 'granted') return void t.fail(`a slot of a quota of 1,000: got ${reservation.kind}`)
  const block = await held()
  t.ok(block > 1, `a block is granted (${block} slots)`)
  leases.settle(reservation.leaseKey, true)
  recorder.record(row(user.id, randomUUID(), ctx.clock.now()))
  await recorder.flush()
  t.equal(await held(), block - 1, 'in use: the answered request is counted, the free slots stay leased')
  await recorder.flush()
  t.equal(await held(), 0, 'idle for a flush: the free slots go back to every instance')
})

t.test('a flush of several statements (2,500 rows, two users, two months, some already stored) counts each row once', async (t) => {
  const ctx = await build(t)
  const users = [await createUser(ctx), await createUser(ctx)]
  const { recorder } = recorderFor(ctx, { maxBuffered: 10_000 })
  const october = new Date('2025-10-31T23:59:59.999Z')
  const november = new Date('2025-11-01T00:00:00.000Z')
  const rows = Array.from({ length: 2_500 }, (_, i) => row(users[i % 2]!.id, randomUUID(), i % 3 === 0 ? october : november, i % 5 === 0 ? 429 : 200))
  // 300 of them were stored by an earlier flush whose commit went unconfirmed.
  for (const stored of rows.slice(1_000, 1_300)) recorder.record(stored)
  await recorder.drain()
  for (const each of rows) recorder.record(each)
  await recorder.drain()

  for (const user of users) {
    const mine = rows.filter((r) => r.userId === user.id)
    const expected = ['2025-10', '2025-11'].map((month) => {
      const inMonth = mine.filter((r) => r.timestamp.toISOString().startsWith(month))
      return {
        month,
        totalRequests: inMonth.length,
        successfulRequests: inMonth.filter((r) => r.statusCode < 300).length,
        failedRequests: inMonth.filter((r) => r.statusCode >= 300).length,
        totalResponseTimeMs: inMonth.length * 12.5,
      }
    })
    const stored = (await counters(ctx, user)).map(({ month, totalRequests, successfulRequests, failedRequests, totalResponseTimeMs }) => ({
      month, totalRequests, successfulRequests, failedRequests, totalResponseTimeMs,
    }))
    t.same(stored, expected, 'counters per UTC month: each row once, success and failure apart')
    t.equal(await usageRows(ctx, user), mine.length)
  }
})
