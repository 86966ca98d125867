import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { hashPassword } from '../src/services/passwords.js'
import { APP_URL, TEST_JWT_SECRET, build, createUser, json, login, request, secretsInLogs, strongPassword, uniqueEmail } from './helper.js'
import { freshPglite, freshPostgres, testDatabaseUrl } from './setup/databases.js'

type LogLine = Record<string, any>

/** Parses every captured line; a line that is not JSON fails the test instead of being skipped. */
function parseLines(t: Test, text: string): LogLine[] {
  return text.split('\n').filter(Boolean).map((line) => {
    try {
      return JSON.parse(line) as LogLine
    } catch {
      t.fail(`log line is not JSON: ${line.slice(0, 120)}`)
      return {}
    }
  })
}

function requestLines(lines: LogLine[], pathPrefix: string): LogLine[] {
  return lines.filter((l) => typeof l.req?.url === 'string' && l.req.url.startsWith(pathPrefix))
}

t.test('credentials in headers and the query string never reach the logs', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const apiKey = `fw_${randomBytes(32).toString('base64url')}`
  ctx.secrets.add(apiKey)
  ctx.secrets.add(user.accessToken)

  t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken)).statusCode, 200)
  await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': apiKey } })
  await ctx.app.inject({ method: 'GET', url: '/api/weather/location?location=Melbourne', headers: { authorization: `Bearer ${apiKey}` } })
  await ctx.app.inject({ method: 'GET', url: '/api/auth/me?api_key=secret123&location=x' })
  await ctx.app.inject({ method: 'GET', url: '/api/nowhere?token=secret123' })

  const text = ctx.logText()
  const lines = parseLines(t, text)
  t.ok(requestLines(lines, '/api/auth/me?').length > 0, 'the request with a query string was logged')
  t.ok(requestLines(lines, '/api/nowhere?').length > 0, 'so was the unknown route')
  for (const [name, secret] of [['JWT', user.accessToken], ['API key', apiKey], ['query secret', 'secret123']] as const) {
    t.notOk(text.includes(secret), `no ${name} in the logs`)
  }
  t.notMatch(text, /Bearer/i, 'no authorization header')
  t.same(secretsInLogs(text, ctx.secrets), [])
})

t.test('passwords never reach the logs, on success, failure or a broken request', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const wrong = strongPassword()
  const malformed = strongPassword()
  for (const p of [wrong, malformed]) ctx.secrets.add(p)

  t.equal((await login(ctx, user.email, user.password)).statusCode, 200)
  t.equal((await login(ctx, user.email, wrong)).statusCode, 401)
  t.equal((await login(ctx, 'not-an-email', wrong)).statusCode, 400)
  const broken = await ctx.app.inject({
    method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' },
    payload: `{"email":"${user.email}","password":"${malformed}"`,
  })
  t.equal(broken.statusCode, 400)

  const text = ctx.logText()
  t.ok(requestLines(parseLines(t, text), '/api/auth/login').length >= 4, 'the logins were logged')
  for (const p of [user.password, wrong, malformed]) t.notOk(text.includes(p), 'password absent')
})

t.test('a failing query is logged without its parameters (password hashes)', async (t) => {
  const ctx = await build(t)
  await ctx.app.db.execute(sql`alter table users rename to users_gone`)
  const password = strongPassword()
  ctx.secrets.add(password)
  const response = await request(ctx, 'POST', '/api/auth/signup', { email: uniqueEmail(), password, full_name: 'Broken' })
  t.equal(response.statusCode, 500)
  const text = ctx.logText()
  t.ok(parseLines(t, text).some((l) => l.level >= 50), 'the failure was logged as an error')
  t.notMatch(text, /\$argon2/, 'no password hash')
  t.notOk(text.includes(password), 'no password')
})

t.test('newlines in a URL or header cannot forge a log line', async (t) => {
  const ctx = await build(t)
  const forged = (tag: string) => `{"level":60,"msg":"${tag}"}`
  await ctx.app.inject({ method: 'GET', url: `/api/nowhere%0A${encodeURIComponent(forged('forged-path'))}` })
  await ctx.app.inject({ method: 'GET', url: `/api/auth/me?x%0A${encodeURIComponent(forged('forged-query'))}=1` })
  await ctx.app.inject({ method: 'GET', url: '/api', headers: { 'user-agent': `ua\n${forged('forged-header')}`, 'x-request-id': `id\r\n${forged('forged-id')}` } })
  await request(ctx, 'POST', '/api/auth/forgot-password', { email: `a@example.com\n${forged('forged-body')}` })

  const text = ctx.logText()
  t.match(text, /forged-path/, 'the path was logged (escaped)')
  t.match(text, /forged-query/, 'the query key was logged (escaped)')
  const lines = parseLines(t, text)
  t.equal(lines.length, text.split('\n').filter(Boolean).length, 'every line is one JSON object')
  t.notOk(lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('forged')), 'no forged message')
  t.notOk(lines.some((l) => l.level === 60), 'no forged level')
  t.notOk(text.split('\n').some((line) => line.startsWith('{"level":60')), 'no line starts with a forged fragment')
})

t.test("the harness's log check catches planted secrets", async (t) => {
  const jwt = (await build(t)).app.signAccessToken(42, randomUUID())
  const opaque = randomBytes(32).toString('base64url')
  const hash = await hashPassword(strongPassword())
  const line = (value: string) => JSON.stringify({ level: 30, msg: 'x', value })

  t.same(secretsInLogs(line('nothing to see'), []), [], 'clean text passes')
  t.ok(secretsInLogs(line(jwt), []).includes('a JWT'), 'a JWT is found')
  t.ok(secretsInLogs(line(opaque), []).includes('an opaque token'), 'a 43-character token is found')
  t.ok(secretsInLogs(line(hash), []).includes('an argon2 hash'), 'an argon2 hash is found')
  t.equal(secretsInLogs(line('pw: Wombat-abc-rain'), ['Wombat-abc-rain']).length, 1, 'a secret the test used is found')

  // The per-build teardown must fail when the app logged a secret.
  let teardown: (() => unknown) | undefined
  const planted = await build({ teardown: (fn: () => unknown) => void (teardown = fn) } as Parameters<typeof build>[0])
  planted.app.log.info({ token: 'masked' }, `leaked ${planted.app.signAccessToken(7, randomUUID())}`)
  t.ok(teardown, 'the build registered its check')
  await t.rejects(async () => teardown!(), /logs contain a JWT/)
})

/** An app without SMTP_URL (emails go to the log), its log lines captured. */
async function appLoggingEmails(t: Test, nodeEnv: 'development' | 'production') {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-mail-log-'))
  const postgres = testDatabaseUrl ? await freshPostgres() : undefined
  const config = loadConfig({
    NODE_ENV: nodeEnv, JWT_SECRET: TEST_JWT_SECRET, APP_URL, DATA_DIR: dataDir, LOG_LEVEL: 'info',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  })
  const chunks: string[] = []
  const logStream = new Writable({ write: (chunk: Buffer, _e, cb) => void (chunks.push(chunk.toString('utf8')), cb()) })
  const pglite = postgres ? undefined : await freshPglite()
  const app = await buildApp({ config, logStream, migrate: false, ...(pglite ? { pglite } : {}) })
  t.teardown(async () => {
    await app.close()
    await pglite?.close()
    await postgres?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const text = () => chunks.join('')
  return { app, text, mailLines: () => parseLines(t, text()).filter((l) => l.mail) }
}

async function signupAndForget(app: Awaited<ReturnType<typeof appLoggingEmails>>['app'], email: string) {
  const signup = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: strongPassword(), full_name: 'Mail Log' } })
  const forgot = await app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } })
  await app.mailer.drain()
  return [signup.statusCode, forgot.statusCode]
}

t.test('without SMTP, development logs one line per email with its link', async (t) => {
  const { app, mailLines } = await appLoggingEmails(t, 'development')
  const email = uniqueEmail('devmail')
  t.same(await signupAndForget(app, email), [201, 200])
  const mails = mailLines()
  t.equal(mails.length, 2, 'one line per email')
  t.same(mails.map((l) => l.mail.to), [email, email])
  t.ok(mails.every((l) => typeof l.mail.subject === 'string' && l.mail.subject.length > 0), 'each names its subject')
  t.match(mails[0]?.mail.link, new RegExp(`^${APP_URL}/verify-email\\?token=[\\w-]{43}$`))
  t.match(mails[1]?.mail.link, new RegExp(`^${APP_URL}/reset-password\\?token=[\\w-]{43}$`))
  const verify = new URL(mails[0]?.mail.link).searchParams.get('token')
  const verified = await app.inject({ method: 'POST', url: '/api/auth/verify-email', payload: { token: verify } })
  t.equal(verified.statusCode, 200, 'the logged link works')
  t.equal(json(verified).user.email_verified, true)
})

t.test('without SMTP, production logs the email but never its link', async (t) => {
  const { app, text, mailLines } = await appLoggingEmails(t, 'production')
  const email = uniqueEmail('prodmail')
  t.same(await signupAndForget(app, email), [201, 200])
  const mails = mailLines()
  t.equal(mails.length, 2, 'one line per email')
  t.same(mails.map((l) => l.mail.to), [email, email])
  t.ok(mails.every((l) => !('link' in l.mail)), 'no link field')
  t.notMatch(text(), /token=/, 'no link anywhere')
  t.same(secretsInLogs(text(), []), [], 'no token anywhere')
})
