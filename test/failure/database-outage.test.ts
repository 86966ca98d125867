import { createServer } from 'node:net'
import t, { type Test } from 'tap'
import postgres from 'postgres'
import { eq, sql } from 'drizzle-orm'
import type { InjectOptions } from 'fastify'
import { openPostgres } from '../../src/db/client.js'
import { apiKeys, users } from '../../src/db/schema/index.js'
import { isDatabaseUnavailable } from '../../src/plugins/errors.js'
import { build, createUser, json, strongPassword, uniqueEmail, type TestContext } from '../helper.js'
import { listenOnFreePort } from '../helpers/ports.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { COUNTED_FAILURE, createKey, settle, totalCounted, usageRows } from '../metering/helpers.js'
import { testDatabaseUrl } from '../setup/databases.js'
import { startBlackhole } from './blackhole.js'
import { DEADLINE_MS, assertUnavailable, timedInject as injectTimed, type Outcome } from './outcomes.js'
import { waitUntil } from '../helpers/eventually.js'

/** Times a request to the app of a test context. */
const timedInject = (ctx: TestContext, options: InjectOptions) => injectTimed(ctx.app, options)

/** How long the same app instance may take to serve again once the database is back. */
const RECOVERY_BOUND_MS = 5_000
/** Liveness never waits on the database. */
const LIVENESS_MS = 500
/** The proxied app's connections carry this name, so the server's view tells them apart. */
const PROXIED_APP = 'fetcha-behind-proxy'
/**
 * A fresh connection attempt that the server side hangs up on is retried by the driver rather
 * than failed, so only the request deadline answers it: kept well inside the issue's 5 s.
 */
const OUTAGE_ENV = { REQUEST_TIMEOUT_MS: '3000', DATABASE_CONNECT_TIMEOUT_S: '2' }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function statusOf(outcome: Outcome): number | 'hung' {
  return 'hung' in outcome ? 'hung' : outcome.response.statusCode
}

async function assertLive(t: Test, ctx: TestContext, label: string) {
  const live = await timedInject(ctx, { method: 'GET', url: '/health' })
  t.equal(statusOf(live), 200, `${label}: /health is 200`)
  t.ok(live.ms < LIVENESS_MS, `${label}: /health answered in ${live.ms} ms`)
}

/**
 * The app under test reaches the per-file database only through `proxy`; the direct app (same
 * database, no proxy) seeds it and checks what was written.
 */
async function behindProxy(t: Test, env: Record<string, string>) {
  const direct = await build(t)
  const target = new URL(direct.database.url!)
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  // Registered before the proxied app, so it runs after that app has closed (teardowns run last-in first-out).
  t.teardown(() => proxy.close())
  const proxiedUrl = new URL(target)
  proxiedUrl.port = String(proxy.port)
  proxiedUrl.searchParams.set('application_name', PROXIED_APP)
  const proxied = await build(t, { shareDatabaseWith: direct, env: { DATABASE_URL: proxiedUrl.toString(), ...env } })
  return { direct, proxied, proxy }
}

/** A connection of the test's own to the per-file database, for what the server sees and for locks. */
function serverSide(t: Test, url: string) {
  // Two connections: one may hold a lock while the other looks.
  const client = postgres(url, { max: 2, onnotice: () => {} })
  t.teardown(() => client.end({ timeout: 5 }))
  return {
    /** The proxied app's backends that wait on a lock. */
    waitingOnLocks: async () => {
      const [row] = await client<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name = ${PROXIED_APP} and wait_event_type = 'Lock'`
      return row?.n ?? 0
    },
    /** The proxied app's backends, with the last statement each has received. */
    backends: async () =>
      client<{ pid: number; query: string }[]>`
        select pid, query from pg_stat_activity where datname = current_database() and application_name = ${PROXIED_APP}`,
    /**
     * Holds `table` locked until released: the app's queries on it wait in the server, so they
     * are in flight when the connection is cut.
     */
    lock: async (table: string) => {
      let release!: () => void
      const released = new Promise<void>((resolve) => (release = resolve))
      let acquired!: () => void
      const locked = new Promise<void>((resolve) => (acquired = resolve))
      const transaction = client.begin(async (tx) => {
        await tx.unsafe(`lock table ${table} in access exclusive mode`)
        acquired()
        await released
      })
      await Promise.race([locked, transaction])
      let done = false
      const unlock = async () => {
        if (done) return
        done = true
        release()
        await transaction
      }
      t.teardown(unlock)
      return unlock
    },
  }
}

t.test('the errors of a lost database connection are classed as an outage (503), with the service\'s own client settings', async (t) => {
  // Nothing listens on a port just released: a stopped server.
  const probe = createServer()
  const refusedPort = await listenOnFreePort(probe)
  await new Promise((resolve) => probe.close(resolve))
  const silent = await startBlackhole('silent')
  t.teardown(() => silent.close())

  for (const [label, port, code] of [
    ['connections refused', refusedPort, 'ECONNREFUSED'],
    ['a server that accepts and never answers', silent.port, 'CONNECT_TIMEOUT'],
  ] as const) {
    const handle = openPostgres({ url: `postgres://fetcha:fetcha@127.0.0.1:${port}/fetcha`, poolSize: 1, connectTimeoutSeconds: 1, statementTimeoutMs: 1_000 })
    t.teardown(() => handle.close())
    const query = await handle.db.execute(sql`select 1`).then(() => undefined, (error: unknown) => error)
    t.match(query, { cause: { code } }, `${label}: a query fails with ${code}, under Drizzle's wrapper`)
    t.ok(isDatabaseUnavailable(query), `${label}: the query's error is an outage`)
    const transaction = await handle.db.transaction(async (tx) => tx.execute(sql`select 1`)).then(() => undefined, (error: unknown) => error)
    t.match(transaction, { code }, `${label}: a transaction fails with ${code}`)
    t.ok(isDatabaseUnavailable(transaction), `${label}: the transaction's error is an outage`)
  }
  t.notOk(isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' })), 'a constraint violation is not an outage')
  t.notOk(isDatabaseUnavailable(new Error('no code')), 'an error without a code is not an outage')
})

t.test('a stopped database is tried again at least every second, however long it stays away', async (t) => {
  const ATTEMPTS = 8
  const probe = createServer()
  const refusedPort = await listenOnFreePort(probe)
  await new Promise((resolve) => probe.close(resolve))
  const handle = openPostgres({ url: `postgres://fetcha:fetcha@127.0.0.1:${refusedPort}/fetcha`, poolSize: 1, connectTimeoutSeconds: 1, statementTimeoutMs: 1_000 })
  t.teardown(() => handle.close())

  // Each failure lengthens the wait before the connection's next attempt. Unbounded, the seventh
  // already waits several seconds and later ones up to 20 s: the service would stay down that
  // long after the database is back.
  const waits: number[] = []
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const started = Date.now()
    const error = await handle.ping().then(() => undefined, (e: unknown) => e)
    waits.push(Date.now() - started)
    t.ok(isDatabaseUnavailable(error), `attempt ${attempt} fails as an outage`)
  }
  t.ok(Math.max(...waits) < 1_500, `no attempt waits much over a second (waits: ${waits.join(', ')} ms)`)
})

if (testDatabaseUrl) {
  t.test('the database goes away mid-run and comes back: 503 meanwhile, served again without a restart', async (t) => {
    const { direct, proxied, proxy } = await behindProxy(t, OUTAGE_ENV)
    const server = serverSide(t, direct.database.url!)
    const user = await createUser(direct)
    const key = await createKey(direct, user)
    const bearer = { authorization: `Bearer ${user.accessToken}` }
    const keyCount = async () => (await direct.app.db.select({ n: sql<number>`count(*)::int` }).from(apiKeys).where(eq(apiKeys.userId, user.id)))[0]?.n ?? 0
    const userExists = async (email: string) => (await direct.app.db.select({ id: users.id }).from(users).where(eq(users.email, email))).length > 0
    const reads: [string, InjectOptions][] = [
      ['GET /api/auth/me', { method: 'GET', url: '/api/auth/me', headers: bearer }],
      ['GET /api/keys', { method: 'GET', url: '/api/keys', headers: bearer }],
      ['GET /api/usage/monthly', { method: 'GET', url: '/api/usage/monthly', headers: bearer }],
    ]
    const createKeyRequest = (name: string): InjectOptions => ({ method: 'POST', url: '/api/keys', headers: bearer, payload: { name } })
    const metered = () => timedInject(proxied, { method: 'GET', url: COUNTED_FAILURE, headers: { 'x-api-key': key } })
    /** Metered requests answered below 500: each must end up recorded once the database is back. */
    let charged = 0

    for (const [label, options] of reads) t.equal(statusOf(await timedInject(proxied, options)), 200, `before: ${label} is 200`)
    t.equal(statusOf(await metered()), 400, 'before: the metered request is answered (a counted 400)')
    charged += 1
    t.equal(statusOf(await timedInject(proxied, { method: 'GET', url: '/health/ready' })), 200, 'before: /health/ready is 200')
    const keysBefore = await keyCount()

    // In flight when the database goes: key lists, and a key creation inside its transaction,
    // all waiting in the server on a lock of api_keys.
    const unlock = await server.lock('api_keys')
    const inFlight = [
      ...[1, 2, 3].map((i) => [`in flight: GET /api/keys #${i}`, timedInject(proxied, reads[1]![1])] as const),
      ['in flight: POST /api/keys (mid-transaction)', timedInject(proxied, createKeyRequest('cut'))] as const,
    ]
    const waiting = await waitUntil(async () => (await server.waitingOnLocks()) >= inFlight.length, DEADLINE_MS)
    t.ok(waiting !== undefined, `${inFlight.length} queries wait in the server when the database goes`)

    proxy.down()
    const downAt = Date.now()
    for (const [label, outcome] of inFlight) assertUnavailable(t, await outcome, label)
    await unlock()
    t.equal(await keyCount(), keysBefore, 'the key creation cut mid-transaction left nothing behind')

    // Twice over: the first round meets connections being torn down, the second fresh attempts.
    const outageEmail = uniqueEmail('outage')
    const outagePassword = strongPassword()
    proxied.secrets.add(outagePassword)
    const signupRequest: InjectOptions = { method: 'POST', url: '/api/auth/signup', payload: { email: outageEmail, password: outagePassword, full_name: 'Outage' } }
    const outageTimes: number[] = []
    const unavailable = async (label: string, options: InjectOptions) => {
      const outcome = await timedInject(proxied, options)
      outageTimes.push(outcome.ms)
      assertUnavailable(t, outcome, label)
    }
    for (const round of [1, 2]) {
      for (const [label, options] of reads) await unavailable(`outage #${round}: ${label}`, options)
      await unavailable(`outage #${round}: POST /api/keys`, createKeyRequest('outage'))
      await unavailable(`outage #${round}: POST /api/auth/signup`, signupRequest)
      const outcome = await metered()
      outageTimes.push(outcome.ms)
      if (statusOf(outcome) === 503) assertUnavailable(t, outcome, `outage #${round}: metered request`)
      else {
        // Served from memory without the database: then it must be recorded once it is back.
        t.equal(statusOf(outcome), 400, `outage #${round}: the metered request is a 503 or its usual 400`)
        t.ok(outcome.ms < DEADLINE_MS, `outage #${round}: the metered request answered in ${outcome.ms} ms`)
        charged += 1
      }
      await assertLive(t, proxied, `outage #${round}`)
      await unavailable(`outage #${round}: GET /health/ready`, { method: 'GET', url: '/health/ready' })
    }
    t.equal(await keyCount(), keysBefore, 'no key was created during the outage')
    t.notOk(await userExists(outageEmail), 'no account was created during the outage')
    t.notOk(proxied.app.changes.listening, 'the change feed knows it is cut off: caches are bypassed')
    t.comment(`outage lasted ${Date.now() - downAt} ms; answers took ${Math.min(...outageTimes)}–${Math.max(...outageTimes)} ms`)

    // The same instance serves again once the database is back, without a restart.
    proxy.up()
    const upAt = Date.now()
    const ready = await waitUntil(async () => statusOf(await timedInject(proxied, { method: 'GET', url: '/health/ready' })) === 200, RECOVERY_BOUND_MS, 50)
    t.ok(ready !== undefined, `/health/ready is 200 again once the database is back (after ${ready ?? `more than ${RECOVERY_BOUND_MS}`} ms)`)
    const served = await waitUntil(async () => {
      for (const [, options] of reads) if (statusOf(await timedInject(proxied, options)) !== 200) return false
      return true
    }, Math.max(0, RECOVERY_BOUND_MS - (Date.now() - upAt)), 50)
    t.ok(served !== undefined, `every read route is 200 again (${Date.now() - upAt} ms after the database returned)`)
    const listening = await waitUntil(async () => proxied.app.changes.listening, RECOVERY_BOUND_MS, 50)
    t.ok(listening !== undefined, `the change feed listens again (${Date.now() - upAt} ms after the database returned)`)
    for (const [label, options] of reads) t.equal(statusOf(await timedInject(proxied, options)), 200, `after: ${label} is 200`)

    const created = await timedInject(proxied, createKeyRequest('after'))
    t.equal(statusOf(created), 201, 'after: a key is created')
    if ('response' in created && created.response.statusCode === 201) proxied.secrets.add(json(created.response).key_value)
    t.equal(await keyCount(), keysBefore + 1, 'after: exactly that one key was added')
    t.equal(statusOf(await timedInject(proxied, signupRequest)), 201, 'after: the signup refused during the outage succeeds (nothing half-made blocks it)')
    t.equal(statusOf(await metered()), 400, 'after: the metered request is answered again')
    charged += 1

    await settle(proxied)
    t.equal(await usageRows(direct, user), charged, `every metered request answered below 500 is recorded (${charged}), none that got a 503`)
    t.equal(await totalCounted(direct, user), charged, 'and the monthly counter agrees')
  })

  t.test('the database stops while a connection is being opened: 503, and the process carries on', async (t) => {
    const { direct, proxied, proxy } = await behindProxy(t, OUTAGE_ENV)
    const server = serverSide(t, direct.database.url!)
    const user = await createUser(direct)
    const bearer = { authorization: `Bearer ${user.accessToken}` }

    // Each exchange of the new connection now takes 0.4 s each way: slow enough to stop the
    // server between its first statement arriving and the answer reaching the app.
    const known = new Set((await server.backends()).map((b) => b.pid))
    proxy.setDelay(400)
    const pending = timedInject(proxied, { method: 'GET', url: '/api/auth/me', headers: bearer })
    const opened = await waitUntil(async () => (await server.backends()).some((b) => !known.has(b.pid) && b.query !== '' && !/^\s*listen\b/i.test(b.query)), DEADLINE_MS)
    t.ok(opened !== undefined, `a new connection has sent its first statement (after ${opened} ms)`)

    // Stopped for good: the port now refuses connections.
    await proxy.close()
    assertUnavailable(t, await pending, 'the request on the connection being opened')
    for (const i of [1, 2, 3]) {
      assertUnavailable(t, await timedInject(proxied, { method: 'GET', url: '/api/auth/me', headers: bearer }), `stopped #${i}: GET /api/auth/me`)
      assertUnavailable(t, await timedInject(proxied, { method: 'POST', url: '/api/keys', headers: bearer, payload: { name: 'stopped' } }), `stopped #${i}: POST /api/keys`)
    }
    await assertLive(t, proxied, 'stopped')
    assertUnavailable(t, await timedInject(proxied, { method: 'GET', url: '/health/ready' }), 'stopped: GET /health/ready')
  })

  t.test('a pool of 2 on a slow database: each request is served or refused with 503 within the deadline', async (t) => {
    const REQUEST_TIMEOUT_MS = 1_500
    const REQUESTS = 40
    const { direct, proxied, proxy } = await behindProxy(t, { DATABASE_POOL_SIZE: '2', REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) })
    const user = await createUser(direct)
    // Usage statistics: the user's lookup (prepared) and an aggregate whose statement is not.
    const stats: InjectOptions = { method: 'GET', url: '/api/usage/stats', headers: { authorization: `Bearer ${user.accessToken}` } }
    const burst = () => Promise.all(Array.from({ length: REQUESTS }, () => timedInject(proxied, stats)))

    // Both pool connections open before the database slows down.
    t.same((await Promise.all([1, 2, 3, 4].map(() => timedInject(proxied, stats)))).map(statusOf), [200, 200, 200, 200], 'warm-up requests are served')

    // 0.1 s each way per exchange: the aggregate (two round trips, its statement is not prepared)
    // holds a connection 0.4 s, so two connections serve a handful of the burst before the deadline.
    proxy.setDelay(100)
    const answers = burst()
    await sleep(300)
    await assertLive(t, proxied, 'while the pool is exhausted')
    const outcomes = await answers

    const served = outcomes.filter((o) => 'response' in o && o.response.statusCode >= 200 && o.response.statusCode < 300)
    const refused = outcomes.filter((o) => 'response' in o && o.response.statusCode === 503)
    t.equal(served.length + refused.length, REQUESTS, `every answer is a 2xx or a 503 (got ${outcomes.map(statusOf).join(' ')})`)
    t.ok(served.length >= 1, `some requests are served (${served.length})`)
    t.ok(refused.length >= 1, `the rest are refused (${refused.length}): the pool really was exhausted`)
    refused.forEach((outcome, i) => assertUnavailable(t, outcome, `refused request #${i + 1}`))
    const slowest = Math.max(...outcomes.map((o) => o.ms))
    t.ok(slowest <= REQUEST_TIMEOUT_MS + 1_000, `the slowest answer took ${slowest} ms: none waits past the request deadline`)
    t.comment(`${served.length} served in ${Math.min(...served.map((o) => o.ms))}–${Math.max(...served.map((o) => o.ms))} ms, ${refused.length} refused in ${Math.min(...refused.map((o) => o.ms))}–${Math.max(...refused.map((o) => o.ms))} ms`)

    // Back to speed: the queries left behind by refused requests drain, and everything is served.
    proxy.setDelay(0)
    const after = await burst()
    t.same(after.map(statusOf), Array(REQUESTS).fill(200), 'once the database is fast again, every request is served')
    t.ok(Math.max(...after.map((o) => o.ms)) < REQUEST_TIMEOUT_MS, `within ${Math.max(...after.map((o) => o.ms))} ms`)
  })
}
