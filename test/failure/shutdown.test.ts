import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import t from 'tap'
import { TEST_JWT_SECRET, strongPassword, uniqueEmail } from '../helper.js'
import { migratePgliteDatabase } from '../../src/db/migrate.js'
import { freshPostgres, testDatabaseUrl } from '../setup/databases.js'
import { freePort, logLines, send, spawnServer, waitForHealth, waitForLog, type HttpResult } from './server-process.js'

const CONCURRENT_SIGNUPS = 24
/** The server's own grace period is 30 s; past that it exits 1 and this test fails anyway. */
const EXIT_BOUND_MS = 40_000

/** Emails of the users stored in the database the server used. */
async function storedEmails(dataDir: string, databaseUrl: string | undefined): Promise<Set<string>> {
  if (databaseUrl) {
    const client = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    try {
      return new Set((await client<{ email: string }[]>`select email from users`).map((r) => r.email))
    } finally {
      await client.end()
    }
  }
  const db = new PGlite(join(dataDir, 'pglite'))
  try {
    return new Set((await db.query<{ email: string }>('select email from users')).rows.map((r) => r.email))
  } finally {
    await db.close()
  }
}

/**
 * Creating an embedded database from nothing takes several seconds on a busy machine, close to
 * Fastify's plugin timeout; this test is about stopping, so the server starts on a ready one.
 */
async function prepareEmbeddedDatabase(dataDir: string): Promise<void> {
  const db = new PGlite(join(dataDir, 'pglite'))
  await migratePgliteDatabase(db)
  await db.close()
}

/** Request ids of the signups the server has taken in, from its request log. */
function signupIds(lines: Record<string, any>[]): Set<string> {
  return new Set(lines.filter((l) => l.msg === 'incoming request' && l.req?.url === '/api/auth/signup').map((l) => l.reqId))
}

t.test('SIGTERM finishes the requests in flight, keeps their writes and exits 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-shutdown-'))
  const database = testDatabaseUrl ? await freshPostgres() : undefined
  t.teardown(async () => {
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  if (!database) await prepareEmbeddedDatabase(dataDir)

  const server = spawnServer(await freePort(), {
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...(database ? { DATABASE_URL: database.url } : {}),
  })
  t.teardown(() => void server.child.kill('SIGKILL'))
  await waitForHealth(server, 60_000)

  const emails = Array.from({ length: CONCURRENT_SIGNUPS }, () => uniqueEmail('shutdown'))
  const password = strongPassword()
  const requests = emails.map((email) => send(server.port, 'POST', '/api/auth/signup', { body: { email, password, full_name: 'Shutdown' } }))
  // The signal goes once the server has taken every request in (its request log says so): from
  // then on each of them is in flight and must be finished, not dropped.
  const allAccepted = await waitForLog(server, (lines) => signupIds(lines).size === CONCURRENT_SIGNUPS, 20_000)
  server.child.kill('SIGTERM')
  const lines = logLines(server)
  const ids = signupIds(lines)
  const completedBeforeSignal = lines.filter((l) => l.msg === 'request completed' && ids.has(l.reqId)).length
  t.ok(allAccepted, 'the server took in every request before the signal')
  t.ok(completedBeforeSignal < CONCURRENT_SIGNUPS, `requests were in flight at SIGTERM (${CONCURRENT_SIGNUPS - completedBeforeSignal})`)

  const results: HttpResult[] = await Promise.all(requests.map((r) => r.result))
  results.forEach((result, i) => {
    t.equal(result.error, undefined, `signup ${i + 1}: no connection error`)
    t.equal(result.status, 201, `signup ${i + 1}: 201`)
    t.doesNotThrow(() => JSON.parse(result.body ?? ''), `signup ${i + 1}: a complete JSON body`)
  })

  let timer: NodeJS.Timeout | undefined
  const exit = await Promise.race([
    server.exited,
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), EXIT_BOUND_MS))),
  ]).finally(() => clearTimeout(timer))
  t.ok(exit, 'the process exited')
  t.equal(exit?.signal, null, 'by itself, not killed')
  t.equal(exit?.code, 0, 'with code 0')
  t.same(logLines(server).filter((l) => l.level >= 40), [], 'no warning or error was logged during the shutdown')
  t.equal(server.stderr(), '', 'nothing on stderr')

  const stored = await storedEmails(dataDir, database?.url)
  const created = emails.filter((_, i) => results[i]?.status === 201)
  t.ok(created.length > 0, 'some signups were answered 201')
  t.same(created.filter((email) => !stored.has(email)), [], 'every user answered 201 is stored')
})
