import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import t from 'tap'
import { TEST_JWT_SECRET, strongPassword, uniqueEmail } from '../helper.js'
import { migratePgliteDatabase } from '../../src/db/migrate.js'
import { COUNTED_FAILURE } from '../metering/helpers.js'
import { freshPostgres, testDatabaseUrl } from '../setup/databases.js'
import { freePort, logLines, send, spawnServer, waitForHealth, type HttpResult, type SendOptions, type ServerProcess } from './server-process.js'

const CONCURRENT_REQUESTS = 200
/** The signal goes once this many answers have arrived: the rest are still in flight. */
const ANSWERED_BEFORE_SIGNAL = 15
/** The server's own grace period is 30 s; past that it exits 1 and this test fails anyway. */
const EXIT_BOUND_MS = 40_000
/** No request may stay unanswered longer than this: the server is gone well before. */
const REQUEST_BOUND_MS = 45_000
/** Socket errors that mean "not taken in": the request never reached a handler. */
const REFUSALS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

type Answer = HttpResult

/** One request on its own connection, bounded so that a lost answer fails the test instead of hanging it. */
function call(port: number, method: string, path: string, options: SendOptions = {}): Promise<Answer> {
  return send(port, method, path, { timeoutMs: REQUEST_BOUND_MS, ...options }).result
}

function parse(answer: Answer): any {
  try {
    return JSON.parse(answer.body ?? '')
  } catch {
    return undefined
  }
}

async function waitUntil(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1))
  return ready()
}

function bounded<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)))]).finally(() =>
    clearTimeout(timer),
  )
}

const RAISE_FREE_TIER = 'update tiers set monthly_quota = 100000, rate_limit_per_hour = 100000 where name = $1'

/**
 * The embedded database cannot be opened while the server runs: it is migrated and the free tier
 * raised before the start. (Starting on a ready database also keeps the start-up fast.)
 */
async function prepareEmbeddedDatabase(dataDir: string): Promise<void> {
  const db = new PGlite(join(dataDir, 'pglite'))
  try {
    await migratePgliteDatabase(db)
    await db.query(RAISE_FREE_TIER, ['free'])
  } finally {
    await db.close()
  }
}

interface Stored {
  usageRows: number
  requestIds: Set<string>
  totalRequests: number
  failedRequests: number
  leases: number
}

const STORED_QUERIES = {
  usage: 'select request_id::text as request_id from usage where user_id = $1',
  counters: 'select coalesce(sum(total_requests), 0)::int as total, coalesce(sum(failed_requests), 0)::int as failed from monthly_usage where user_id = $1',
  leases: 'select coalesce(sum(granted), 0)::int as granted from quota_leases where user_id = $1',
}

/** What the database holds for the user, read after the server has exited. */
async function storedUsage(dataDir: string, databaseUrl: string | undefined, userId: number): Promise<Stored> {
  type Rows = { usage: { request_id: string }[]; counters: { total: number; failed: number }[]; leases: { granted: number }[] }
  let rows: Rows
  if (databaseUrl) {
    const client = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    try {
      rows = {
        usage: await client.unsafe<{ request_id: string }[]>(STORED_QUERIES.usage, [userId]),
        counters: await client.unsafe<{ total: number; failed: number }[]>(STORED_QUERIES.counters, [userId]),
        leases: await client.unsafe<{ granted: number }[]>(STORED_QUERIES.leases, [userId]),
      }
    } finally {
      await client.end()
    }
  } else {
    const db = new PGlite(join(dataDir, 'pglite'))
    try {
      rows = {
        usage: (await db.query<{ request_id: string }>(STORED_QUERIES.usage, [userId])).rows,
        counters: (await db.query<{ total: number; failed: number }>(STORED_QUERIES.counters, [userId])).rows,
        leases: (await db.query<{ granted: number }>(STORED_QUERIES.leases, [userId])).rows,
      }
    } finally {
      await db.close()
    }
  }
  return {
    usageRows: rows.usage.length,
    requestIds: new Set(rows.usage.map((r) => r.request_id)),
    totalRequests: rows.counters[0]?.total ?? 0,
    failedRequests: rows.counters[0]?.failed ?? 0,
    leases: rows.leases[0]?.granted ?? 0,
  }
}

/** Request ids of metered requests the server answered below 500, from its request log. */
function answeredMeteredIds(server: ServerProcess): { taken: number; answered: Set<string> } {
  const lines = logLines(server)
  const metered = new Set(
    lines.filter((l) => l.msg === 'incoming request' && String(l.req?.url ?? '').startsWith('/api/weather/location')).map((l) => String(l.reqId)),
  )
  const answered = new Set(
    lines
      .filter((l) => l.msg === 'request completed' && metered.has(String(l.reqId)) && typeof l.res?.statusCode === 'number' && l.res.statusCode < 500)
      .map((l) => String(l.reqId)),
  )
  return { taken: metered.size, answered }
}

const tally = (answers: Answer[]) =>
  answers.reduce<Record<string, number>>((acc, a) => {
    const label = a.status === undefined ? String(a.error) : String(a.status)
    acc[label] = (acc[label] ?? 0) + 1
    return acc
  }, {})

t.test('SIGTERM under metered load: every answered request has its usage row, and the process exits 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-metered-shutdown-'))
  const database = testDatabaseUrl ? await freshPostgres() : undefined
  t.teardown(async () => {
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  if (database) {
    const client = postgres(database.url, { max: 1, onnotice: () => {} })
    try {
      await client.unsafe(RAISE_FREE_TIER, ['free'])
    } finally {
      await client.end()
    }
  } else {
    await prepareEmbeddedDatabase(dataDir)
  }

  const server = spawnServer(await freePort(), {
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    // Load shedding answers 503 on a busy machine; this test is about stopping, not shedding.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(database ? { DATABASE_URL: database.url } : {}),
  })
  t.teardown(() => void server.child.kill('SIGKILL'))
  await waitForHealth(server, 60_000)

  // A user and a key, over HTTP.
  const signup = await call(server.port, 'POST', '/api/auth/signup', {
    body: { email: uniqueEmail('metered-shutdown'), password: strongPassword(), full_name: 'Metered Shutdown' },
    timeoutMs: 20_000,
  })
  t.equal(signup.status, 201, 'signed up')
  const account = parse(signup)
  const created = await call(server.port, 'POST', '/api/keys', {
    body: { name: 'shutdown load' },
    headers: { authorization: `Bearer ${account?.access_token}` },
    timeoutMs: 20_000,
  })
  t.equal(created.status, 201, 'key created')
  const key: string = parse(created)?.key_value
  const userId: number = account?.user?.id
  t.ok(key && Number.isInteger(userId), 'a key and a user id')
  if (!key || !Number.isInteger(userId)) return

  // The raised tier is in force: one counted request answers 400 with the raised quota.
  const probe = await call(server.port, 'GET', COUNTED_FAILURE, { headers: { 'x-api-key': key }, timeoutMs: 20_000 })
  t.equal(probe.status, 400, 'a counted request answers 400 (bad date)')
  t.equal(probe.headers?.['x-quota-limit'], '100000', 'with the raised quota')

  // The load, then the signal while most of it is still in flight.
  const answers: Answer[] = []
  const pending = Array.from({ length: CONCURRENT_REQUESTS }, () =>
    call(server.port, 'GET', COUNTED_FAILURE, { headers: { 'x-api-key': key } }).then((answer) => {
      answers.push(answer)
      return answer
    }),
  )
  const someAnswered = await waitUntil(() => answers.length >= ANSWERED_BEFORE_SIGNAL, 30_000)
  const signalledAt = Date.now()
  server.child.kill('SIGTERM')
  const answeredAtSignal = answers.length
  const takenAtSignal = answeredMeteredIds(server)
  t.ok(someAnswered, `some requests were answered before the signal (${answeredAtSignal})`)
  t.ok(answeredAtSignal < CONCURRENT_REQUESTS, `requests were in flight at SIGTERM (${CONCURRENT_REQUESTS - answeredAtSignal} unanswered; the server's log then showed ${takenAtSignal.taken - takenAtSignal.answered.size} taken in and not finished)`)

  const all = await bounded(Promise.all(pending), REQUEST_BOUND_MS + 5_000)
  t.ok(all, 'every request settled: an answer or a connection error, no hang')
  const results = all ?? answers
  const counts = tally(results)
  t.comment(`requests: ${CONCURRENT_REQUESTS}, answered before the signal: ${answeredAtSignal}, outcomes: ${JSON.stringify(counts)}`)

  const answered = results.filter((a) => a.status !== undefined)
  const refused = results.filter((a) => a.status === undefined)
  t.same(refused.filter((a) => !REFUSALS.has(String(a.error))).map((a) => a.error), [], 'every request without an answer was refused at the connection (no timeout, no abort mid-answer)')
  t.same(answered.filter((a) => parse(a) === undefined).map((a) => a.status), [], 'every answer is a complete JSON body')
  t.same(answered.filter((a) => a.status !== 400 && a.status !== 503).map((a) => a.status), [], 'answers are the counted 400 or a 503 from a stopping server, nothing else')
  t.same(answered.filter((a) => a.status === 503 && a.at < signalledAt).length, 0, 'no 503 before the signal')
  const counted = answered.filter((a) => a.status! < 500).length + 1 // and the probe
  t.ok(counted > ANSWERED_BEFORE_SIGNAL, `requests were answered after the signal (${answered.filter((a) => a.at >= signalledAt && a.status! < 500).length} counted ones)`)

  const exit = await bounded(server.exited, EXIT_BOUND_MS)
  t.ok(exit, 'the process exited')
  t.equal(exit?.signal, null, 'by itself, not killed')
  t.equal(exit?.code, 0, 'with code 0')
  t.same(
    logLines(server).filter((l) => l.level >= 40).map((l) => l.msg),
    [],
    'no warning or error was logged (no failed or lost usage flush)',
  )
  t.equal(server.stderr(), '', 'nothing on stderr')

  const stored = await storedUsage(dataDir, database?.url, userId)
  t.comment(`answered below 500 (with the probe): ${counted}, usage rows: ${stored.usageRows}, monthly_usage.total_requests: ${stored.totalRequests}, leases left: ${stored.leases}`)
  t.equal(stored.usageRows, counted, 'usage rows == answered non-5xx responses')
  t.equal(stored.totalRequests, counted, 'monthly_usage.total_requests == answered non-5xx responses')
  t.equal(stored.failedRequests, counted, 'all of them counted as failed (400)')
  t.equal(stored.leases, 0, 'no quota lease is left behind: unused slots went back at the stop')

  // The same by identity, from the server's request log: each answered request has its row, and
  // no row belongs to a request that was not answered.
  const { answered: loggedIds } = answeredMeteredIds(server)
  t.equal(loggedIds.size, counted, 'the request log shows as many answered metered requests')
  t.same([...loggedIds].filter((id) => !stored.requestIds.has(id)), [], 'every answered request id has its usage row')
  t.same([...stored.requestIds].filter((id) => !loggedIds.has(id)), [], 'every usage row is an answered request')
})
