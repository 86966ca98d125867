import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { TEST_JWT_SECRET, strongPassword, uniqueEmail } from '../helper.js'
import { startBlackhole } from './blackhole.js'
import { assertUnavailable, timedInject, within } from './outcomes.js'

const CLOSE_BOUND_MS = 10_000

/** An app whose DATABASE_URL points at `port`; closing it is part of what is tested. */
async function appAt(t: Test, port: number, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-deadline-'))
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: `postgres://fetcha:fetcha@127.0.0.1:${port}/fetcha`,
    REQUEST_TIMEOUT_MS: '1000',
    DATABASE_CONNECT_TIMEOUT_S: '1',
    LOG_LEVEL: 'warn',
    ...env,
  })
  const app = await buildApp({ config, migrate: false, logStream: new Writable({ write: (_c, _e, cb) => cb() }) })
  let closed = false
  const close = async () => {
    if (closed) return { ms: 0, timedOut: false }
    closed = true
    const started = Date.now()
    const result = await within(app.close(), CLOSE_BOUND_MS)
    return { ms: Date.now() - started, timedOut: 'timedOut' in result }
  }
  t.teardown(async () => {
    await close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return { app, close }
}

const modes = {
  silent: 'accepts connections and never answers',
  close: 'accepts connections and closes them at once',
} as const

for (const [mode, description] of Object.entries(modes) as [keyof typeof modes, string][]) {
  t.test(`a database that ${description}`, async (t) => {
    const hole = await startBlackhole(mode)
    t.teardown(() => hole.close())
    const { app, close } = await appAt(t, hole.port)
    const bearer = { authorization: `Bearer ${app.signAccessToken(1, randomUUID())}` }

    const inFlight = Array.from({ length: 5 }, () => timedInject(app, { method: 'GET', url: '/api/auth/me', headers: bearer }))
    const signup = timedInject(app, { method: 'POST', url: '/api/auth/signup', payload: { email: uniqueEmail(), password: strongPassword(), full_name: 'Deadline' } })

    // Liveness answers at once while those wait on the database.
    const live = await timedInject(app, { method: 'GET', url: '/health' })
    t.ok('response' in live && live.response.statusCode === 200, '/health is 200 meanwhile')
    t.ok(live.ms < 500, `/health answered in ${live.ms} ms`)

    const outcomes = await Promise.all(inFlight)
    outcomes.forEach((outcome, i) => assertUnavailable(t, outcome, `GET /api/auth/me #${i + 1}`))
    assertUnavailable(t, await signup, 'POST /api/auth/signup')
    assertUnavailable(t, await timedInject(app, { method: 'GET', url: '/health/ready' }), 'GET /health/ready')

    const closing = await close()
    t.notOk(closing.timedOut, 'app.close() finishes')
    t.ok(closing.ms < CLOSE_BOUND_MS, `app.close() took ${closing.ms} ms`)
  })
}

t.test('an exhausted pool sheds load with 503 within the deadline', async (t) => {
  const hole = await startBlackhole('silent')
  t.teardown(() => hole.close())
  // Connection attempts outlast the test here, so only the request deadline can answer in time.
  const { app, close } = await appAt(t, hole.port, { DATABASE_POOL_SIZE: '2', DATABASE_CONNECT_TIMEOUT_S: '30' })
  const bearer = { authorization: `Bearer ${app.signAccessToken(1, randomUUID())}` }

  const outcomes = await Promise.all(Array.from({ length: 30 }, () => timedInject(app, { method: 'GET', url: '/api/auth/me', headers: bearer })))
  t.equal(outcomes.filter((o) => 'response' in o && o.response.statusCode < 300).length, 0, 'never a 2xx')
  outcomes.forEach((outcome, i) => assertUnavailable(t, outcome, `queued request #${i + 1}`))
  const live = await timedInject(app, { method: 'GET', url: '/health' })
  t.ok('response' in live && live.response.statusCode === 200 && live.ms < 500, `/health stays fast (${live.ms} ms)`)

  const closing = await close()
  t.notOk(closing.timedOut, `app.close() finishes (${closing.ms} ms)`)
})
