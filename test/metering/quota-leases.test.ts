import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t from 'tap'
import type { Database } from '../../src/db/client.js'
import { quotaLeases } from '../../src/db/schema/index.js'
import { utcMonth } from '../../src/services/metering/months.js'
import { createQuotaLeases, type QuotaLeases, type Reservation } from '../../src/services/metering/quota-leases.js'
import { createUsageRecorder } from '../../src/services/metering/usage-recorder.js'
import { build, createUser, type TestContext } from '../helper.js'

/**
 * The test's database, with every grant (a transaction) and flush (a statement) counted and
 * held back while the gate is shut: this shows when a request would have waited for a grant.
 */
function gatedDatabase(db: Database) {
  let open = true
  let reopened: () => void = () => undefined
  let gate = Promise.resolve()
  const counts = { writes: 0, held: 0 }
  const gated = new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown
      if ((property !== 'transaction' && property !== 'execute') || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value
      return async (...args: unknown[]) => {
        counts.writes += 1
        if (!open) {
          counts.held += 1
          await gate
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    db: gated,
    counts,
    shut() {
      open = false
      gate = new Promise((resolve) => (reopened = resolve))
    },
    open() {
      open = true
      reopened()
    },
  }
}

function leasesOver(ctx: TestContext, db: Database) {
  const leases = createQuotaLeases({ db, clock: ctx.clock, instanceId: randomUUID() })
  const recorder = createUsageRecorder({ db, clock: ctx.clock, leases, maxBuffered: 10_000 })
  return { leases, recorder }
}

function granted(reservation: Reservation): string {
  if (reservation.kind !== 'granted') throw new Error(`expected a slot, got ${reservation.kind}`)
  return reservation.leaseKey
}

/** Waits for every grant and flush queued so far: they take turns, in order. */
const queued = (leases: QuotaLeases) => leases.exclusive(async () => undefined)

/** The reservations, or 'waiting' if they are not all answered within `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | 'waiting'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), ms)))
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

t.test('a lease running low asks for its next block in the background: requests never wait for a grant', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const gate = gatedDatabase(ctx.app.db)
  const { leases } = leasesOver(ctx, gate.db)
  const month = utcMonth(ctx.clock.now())
  const quota = 100_000
  const reserve = () => leases.reserve(user.id, month, quota)

  // The first block is a twentieth of what is left, at most 1,000: 1,000 slots.
  granted(await reserve())
  const firstBlock = 1_000
  // At half of it, the next block is asked for while slots are still free.
  for (let i = 1; i < firstBlock / 2 + 1; i++) granted(await reserve())
  await queued(leases)
  t.equal(gate.counts.writes, 2, 'the next block was granted before the first ran out')

  // Grants are now held back: the rest of the first block and the next one still serve at once.
  gate.shut()
  const rest = Array.from({ length: firstBlock / 2 + 100 }, () => reserve())
  const answered = await within(2_000, Promise.all(rest))
  t.not(answered, 'waiting', 'no request waited for a grant')
  if (answered !== 'waiting') t.same([...new Set(answered.map((r) => r.kind))], ['granted'])
  t.equal(gate.counts.held, 0, 'no grant was even asked for')
  gate.open()
})

t.test('a block granted just before a flush stays for the requests that asked for it', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const gate = gatedDatabase(ctx.app.db)
  const { leases, recorder } = leasesOver(ctx, gate.db)
  const month = utcMonth(ctx.clock.now())
  // The flush takes its turn right after the grant, before the request that asked for the block.
  const waiting = leases.reserve(user.id, month, 1_000)
  const flushing = recorder.flush()
  const reservation = await waiting
  await flushing
  t.equal(reservation.kind, 'granted')
  t.equal(gate.counts.writes, 2, 'one grant and one flush: the block was not handed back and asked for again')
})

t.test('once the quota is spent, concurrent refusals share one decision', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const gate = gatedDatabase(ctx.app.db)
  const { leases } = leasesOver(ctx, gate.db)
  const month = utcMonth(ctx.clock.now())
  // A quota of 3 is granted one slot at a time.
  for (let i = 0; i < 3; i++) granted(await leases.reserve(user.id, month, 3))
  // The refill asked for after the last slot finds the quota spent; it goes first.
  await queued(leases)
  const before = gate.counts.writes

  const refusals = await Promise.all(Array.from({ length: 50 }, () => leases.reserve(user.id, month, 3)))
  t.same([...new Set(refusals.map((r) => r.kind))], ['exceeded'], 'all 50 refused')
  t.equal(gate.counts.writes - before, 1, '50 refusals, one grant transaction')
})

t.test('a lease that runs dry while a flush waits its turn keeps the block granted to it', async (t) => {
  const ctx = await build(t)
  const [user, other] = [await createUser(ctx), await createUser(ctx)]
  const gate = gatedDatabase(ctx.app.db)
  const { leases, recorder } = leasesOver(ctx, gate.db)
  const month = utcMonth(ctx.clock.now())
  const leased = async () => (await ctx.app.db.select({ granted: quotaLeases.granted }).from(quotaLeases).where(eq(quotaLeases.userId, user.id))).map((r) => r.granted)
  const answer = (leaseKey: string) => {
    leases.settle(leaseKey, true)
    recorder.record({ requestId: randomUUID(), userId: user.id, endpoint: '/api/weather/location', responseTimeMs: 1, statusCode: 200, timestamp: ctx.clock.now() })
  }

  // A quota of 1, used: the lease is dry, and its refill found nothing to take.
  answer(granted(await leases.reserve(user.id, month, 1)))
  await queued(leases)
  // Another user's grant holds the queue; a flush waits behind it, and behind the flush a
  // request of the first user (whose quota has just been raised) waits for a grant.
  gate.shut()
  const otherRequest = leases.reserve(other.id, month, 1_000)
  const flushing = recorder.flush()
  const waiting = leases.reserve(user.id, month, 5)
  gate.open()
  await flushing
  leases.settle(granted(await otherRequest), false)
  answer(granted(await waiting))

  await recorder.drain()
  await recorder.drain()
  t.same(await leased(), [], 'after two flushes of an idle lease, nothing stays withheld')
  const next = await leases.reserve(user.id, month, 5)
  t.equal(next.kind === 'granted' ? next.used : -1, 3, 'the count goes on from the two counted requests')
})
