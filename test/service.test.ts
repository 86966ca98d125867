import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'drizzle-orm'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { APP_URL, TEST_JWT_SECRET, build, createUser, json, request, strongPassword, uniqueEmail, type TestContext } from './helper.js'

const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/
const QUOTA_AND_RATE_HEADERS = ['x-quota-limit', 'x-quota-remaining', 'x-quota-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']

/** Text a 5xx body must never carry: stack frames, SQL, driver or errno names. */
const LEAK_PATTERNS = [
  /\bstack\b/i, /\n\s*at /, /\bat [\w.<>]+ \(/, /\.[jt]s:\d+/,
  /\b(select|insert|update|delete)\b.+\b(from|into|set)\b/i, /\brelation\b/i, /\bsqlstate\b/i,
  /\bpostgres\b/i, /\bpglite\b/i, /\bdrizzle\b/i, /ECONN\w+/, /\bCONNECT_TIMEOUT\b/,
]

function assertEnvelope(t: Test, response: LightMyRequestResponse, status: number, code: string) {
  t.equal(response.statusCode, status, `status ${status} for ${code}`)
  const body = json(response)
  t.equal(body.success, false, 'success is false')
  t.equal(body.code, code, 'machine code')
  t.type(body.error, 'string', 'human sentence')
  t.ok(String(body.error).length > 0, 'the sentence is not empty')
}

function assertNoLeak(t: Test, response: LightMyRequestResponse) {
  for (const pattern of LEAK_PATTERNS) t.notMatch(response.body, pattern, `5xx body free of ${pattern}`)
}

/** An app whose database is a port where nothing listens. */
async function appWithoutDatabase(t: Test): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-nodb-'))
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: 'postgres://127.0.0.1:1/x',
    DATABASE_CONNECT_TIMEOUT_S: '1',
    LOG_LEVEL: 'silent',
  })
  const app = await buildApp({ config, migrate: false, logStream: new Writable({ write: (_c, _e, cb) => cb() }) })
  t.teardown(async () => {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return app
}

const ctx: TestContext = await build(t)

t.test('GET /health answers status, timestamp and version', async (t) => {
  const response = await request(ctx, 'GET', '/health')
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.status, 'ok')
  t.match(body.timestamp, ISO_UTC)
  t.equal(body.version, packageVersion)
})

t.test('GET /health/ready is 200 when the database answers', async (t) => {
  const response = await request(ctx, 'GET', '/health/ready')
  t.equal(response.statusCode, 200)
  t.equal(json(response).status, 'ready')
})

t.test('without a database: liveness stays up, readiness and data access answer 503 with Retry-After', async (t) => {
  const app = await appWithoutDatabase(t)
  const live = await app.inject({ method: 'GET', url: '/health' })
  t.equal(live.statusCode, 200, 'liveness never touches the database')

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  assertEnvelope(t, ready, 503, 'SERVICE_UNAVAILABLE')
  t.ok(Number(ready.headers['retry-after']) > 0, 'Retry-After is a number of seconds')
  assertNoLeak(t, ready)

  const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${app.signAccessToken(1, randomUUID())}` } })
  assertEnvelope(t, me, 503, 'SERVICE_UNAVAILABLE')
  t.ok(me.headers['retry-after'], 'Retry-After on a failed data access')
  assertNoLeak(t, me)

  const signup = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email: uniqueEmail(), password: strongPassword(), full_name: 'No Db' } })
  assertEnvelope(t, signup, 503, 'SERVICE_UNAVAILABLE')
  assertNoLeak(t, signup)
})

t.test('an unexpected database error is a bare 500 without SQL or driver text', async (t) => {
  const broken = await build(t)
  await broken.app.db.execute(sql`alter table users rename to users_gone`)
  const response = await request(broken, 'POST', '/api/auth/login', { email: uniqueEmail(), password: strongPassword() })
  assertEnvelope(t, response, 500, 'INTERNAL_ERROR')
  assertNoLeak(t, response)
  t.notMatch(response.body, /users_gone|users/, 'no table name')
})

t.test('GET /api names the service and links to the docs', async (t) => {
  const response = await request(ctx, 'GET', '/api')
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.success, true)
  t.type(body.name, 'string')
  t.equal(body.version, packageVersion)
  t.equal(body.links.docs, '/docs')
  t.equal(body.links.openapi, '/docs/json')
  t.equal(body.links.health, '/health')
})

t.test('GET /docs serves Swagger UI', async (t) => {
  const response = await request(ctx, 'GET', '/docs')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /text\/html/)
  t.match(response.body, /swagger/i)
})

t.test('GET /docs/json is an OpenAPI 3 document generated from the route schemas', async (t) => {
  const response = await request(ctx, 'GET', '/docs/json')
  t.equal(response.statusCode, 200)
  const doc = json(response)
  t.match(doc.openapi, /^3\.\d+\.\d+$/)
  const signup = doc.paths?.['/api/auth/signup']?.post
  t.ok(signup, 'POST /api/auth/signup is documented')
  t.ok(signup?.requestBody, 'with its request body')
  t.ok(signup?.responses?.['201'], '201 documented')
  t.ok(signup?.responses?.['409'], '409 documented')
  t.ok(doc.paths?.['/api/auth/me']?.get?.responses?.['401'], 'GET /api/auth/me documents its 401')
})

t.test('an unknown route is a 404 envelope', async (t) => {
  assertEnvelope(t, await request(ctx, 'GET', '/api/nowhere'), 404, 'NOT_FOUND')
  assertEnvelope(t, await request(ctx, 'POST', '/nowhere/at/all', { a: 1 }), 404, 'NOT_FOUND')
})

t.test('malformed JSON is 400 INVALID_JSON', async (t) => {
  const response = await ctx.app.inject({
    method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": "a@example.com", ',
  })
  assertEnvelope(t, response, 400, 'INVALID_JSON')
})

t.test('a text/plain body is 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const response = await ctx.app.inject({
    method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'email=a@example.com',
  })
  assertEnvelope(t, response, 415, 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('a body over 64 kB is 413 PAYLOAD_TOO_LARGE', async (t) => {
  const response = await request(ctx, 'POST', '/api/auth/signup', { email: uniqueEmail(), password: 'x'.repeat(70 * 1024), full_name: 'Big' })
  assertEnvelope(t, response, 413, 'PAYLOAD_TOO_LARGE')
})

t.test('a trailing slash reaches the same route', async (t) => {
  const user = await createUser(ctx)
  const response = await request(ctx, 'GET', '/api/auth/me/', undefined, user.accessToken)
  t.equal(response.statusCode, 200)
  t.equal(json(response).user.email, user.email)
  t.equal((await request(ctx, 'GET', '/health/')).statusCode, 200)
})

function preflight(app: FastifyInstance, origin: string) {
  return app.inject({
    method: 'OPTIONS',
    url: '/api/auth/me',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-api-key,content-type' },
  })
}

function headerList(value: string | string[] | number | undefined): string[] {
  return String(value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
}

t.test('CORS: the app origin may send credentials headers and read quota headers', async (t) => {
  const response = await preflight(ctx.app, APP_URL)
  t.ok(response.statusCode >= 200 && response.statusCode < 300, 'preflight succeeds')
  t.equal(response.headers['access-control-allow-origin'], APP_URL)
  const allowed = headerList(response.headers['access-control-allow-headers'])
  for (const header of ['authorization', 'x-api-key', 'content-type']) t.ok(allowed.includes(header), `${header} allowed`)

  const actual = await ctx.app.inject({ method: 'GET', url: '/api', headers: { origin: APP_URL } })
  t.equal(actual.headers['access-control-allow-origin'], APP_URL)
  const exposed = headerList(actual.headers['access-control-expose-headers'])
  for (const header of QUOTA_AND_RATE_HEADERS) t.ok(exposed.includes(header), `${header} exposed`)
})

t.test('CORS: a foreign origin is not allowed', async (t) => {
  const response = await preflight(ctx.app, 'https://evil.example')
  t.notOk(response.headers['access-control-allow-origin'], 'no allow-origin on the preflight')
  const actual = await ctx.app.inject({ method: 'GET', url: '/api', headers: { origin: 'https://evil.example' } })
  t.notOk(actual.headers['access-control-allow-origin'], 'no allow-origin on the request')
})

t.test('CORS_ORIGINS replaces the default origin', async (t) => {
  const custom = await build(t, { env: { CORS_ORIGINS: 'https://one.example, https://two.example' } })
  for (const origin of ['https://one.example', 'https://two.example']) {
    t.equal((await preflight(custom.app, origin)).headers['access-control-allow-origin'], origin, `${origin} allowed`)
  }
  t.notOk((await preflight(custom.app, APP_URL)).headers['access-control-allow-origin'], 'APP_URL no longer allowed')
})
