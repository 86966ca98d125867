import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema/index.js'
import { APP_URL, build, json, login, request, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

const USER_FIELDS = ['created_at', 'email', 'email_verified', 'full_name', 'id', 'is_active', 'last_login', 'role', 'tier']
const HASH_SHAPE = /\$argon2|\$2[aby]\$/

/**
 * The algorithm and parameters of a PHC-format argon2 hash. The library may write the parameters
 * in any order (argon2@0.45 writes m,p,t), so they are compared by name.
 */
function argon2Params(hash: string | undefined) {
  const [, id, version, params, salt] = (hash ?? '').split('$')
  const named = Object.fromEntries((params ?? '').split(',').map((p) => p.split('=')))
  return { algorithm: `${id} ${version} m=${named.m} t=${named.t} p=${named.p}`, salt }
}

/** A password of exactly `length` characters that no dictionary knows. */
function passwordOfLength(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length)
}

function signup(ctx: TestContext, body: Record<string, unknown>) {
  if (typeof body.password === 'string') ctx.secrets.add(body.password)
  return request(ctx, 'POST', '/api/auth/signup', body)
}

function validBody(overrides: Record<string, unknown> = {}) {
  return { email: uniqueEmail(), password: strongPassword(), full_name: 'Test User', ...overrides }
}

function storedUser(ctx: TestContext, email: string) {
  return ctx.app.db.select().from(users).where(eq(users.email, email))
}

/** Asserts a 400 with `code` (VALIDATION_ERROR unless told) whose details name `field`. */
function assertValidationError(t: Test, response: { statusCode: number; body: string }, field: string, code = 'VALIDATION_ERROR') {
  t.equal(response.statusCode, 400, `400 for a bad ${field}`)
  const body = JSON.parse(response.body)
  t.equal(body.success, false)
  t.equal(body.code, code)
  t.type(body.error, 'string')
  t.ok(Array.isArray(body.details) && body.details.some((d: { field?: string }) => d.field === field), `details name ${field}: ${response.body}`)
}

t.test('signup answers the user, a session and auto_login', async (t) => {
  const ctx = await build(t)
  const input = validBody({ full_name: 'Ada Lovelace' })
  const response = await signup(ctx, input)
  t.equal(response.statusCode, 201)
  const body = json(response)
  t.equal(body.success, true)
  t.equal(body.auto_login, true)
  t.equal(body.email_sent, true)
  t.type(body.message, 'string')
  t.same(Object.keys(body.user).sort(), USER_FIELDS)
  t.match(body.user, {
    id: Number,
    email: input.email,
    full_name: 'Ada Lovelace',
    email_verified: false,
    tier: 'free',
    role: 'user',
    is_active: true,
  })
  t.equal(body.user.created_at, ctx.clock.now().toISOString())
  t.ok(body.user.last_login === null || /Z$/.test(body.user.last_login), 'last_login is null or a UTC timestamp')

  const userText = JSON.stringify(body.user)
  t.notMatch(userText, HASH_SHAPE, 'no password hash in the user')
  t.notOk(userText.includes(body.access_token) || userText.includes(body.refresh_token), 'no token in the user')

  t.match(body.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
  const me = await request(ctx, 'GET', '/api/auth/me', undefined, body.access_token)
  t.equal(me.statusCode, 200, 'the access token opens /me')
  t.equal(json(me).user.id, body.user.id)
  const refreshed = await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: body.refresh_token })
  t.equal(refreshed.statusCode, 200, 'the refresh token is a live session')
})

t.test('emails are trimmed and lower-cased, and unique whatever their case', async (t) => {
  const ctx = await build(t)
  const password = strongPassword()
  const response = await signup(ctx, validBody({ email: '  Bob@Example.COM ', password }))
  t.equal(response.statusCode, 201)
  t.equal(json(response).user.email, 'bob@example.com')
  t.equal((await login(ctx, 'bob@example.com', password)).statusCode, 200, 'log in with the normalised address')

  for (const email of ['bob@example.com', 'BOB@EXAMPLE.COM', ' Bob@example.com']) {
    const again = await signup(ctx, validBody({ email }))
    t.equal(again.statusCode, 409, `409 for ${JSON.stringify(email)}`)
    t.match(json(again), { success: false, code: 'EMAIL_TAKEN', error: String })
  }
  t.equal((await storedUser(ctx, 'bob@example.com')).length, 1, 'one account')
})

t.test('validation errors name the field', async (t) => {
  const ctx = await build(t)
  const empty = await signup(ctx, {})
  for (const field of ['email', 'password', 'full_name']) assertValidationError(t, empty, field)

  const { full_name: _omit, ...noName } = validBody()
  const missingName = await signup(ctx, noName)
  assertValidationError(t, missingName, 'full_name')
  t.notOk(json(missingName).details.some((d: { field: string }) => d.field === 'email'), 'only the bad field is named')

  assertValidationError(t, await signup(ctx, validBody({ email: 'not-an-email' })), 'email')
  assertValidationError(t, await signup(ctx, validBody({ email: 42 })), 'email')
  assertValidationError(t, await signup(ctx, validBody({ password: passwordOfLength(7) })), 'password')
  assertValidationError(t, await signup(ctx, validBody({ password: passwordOfLength(257) })), 'password')
})

t.test('password length: 8 to 256 characters', async (t) => {
  const ctx = await build(t)
  for (const length of [8, 64, 256]) {
    const input = validBody({ password: passwordOfLength(length) })
    t.equal((await signup(ctx, input)).statusCode, 201, `${length} characters accepted`)
    t.equal((await login(ctx, input.email, input.password as string)).statusCode, 200, `${length} characters log in`)
  }
})

t.test('an oversized body is refused quickly with 413', async (t) => {
  const ctx = await build(t)
  const started = performance.now()
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(validBody({ full_name: 'x'.repeat(100 * 1024) })),
  })
  const elapsed = performance.now() - started
  t.equal(response.statusCode, 413)
  t.match(json(response), { success: false, code: 'PAYLOAD_TOO_LARGE' })
  t.ok(elapsed < 1000, `answered in ${elapsed.toFixed(0)} ms`)
})

t.test('common and easily guessed passwords are refused as WEAK_PASSWORD, saying why, and create nothing', async (t) => {
  const ctx = await build(t)
  for (const password of ['password123', '12345678', 'qwertyuiop', 'password1234', 'Password123', 'qwerty12345', 'PASSWORD123', 'Summer2024', 'aaaaaaaa1', 'Passw0rd!!']) {
    const input = validBody({ password })
    const response = await signup(ctx, input)
    assertValidationError(t, response, 'password', 'WEAK_PASSWORD')
    t.match(json(response).details[0].message, /^is too |^is mostly /, `${password}: the reason is given`)
    t.match(json(response).error, /^The password is /, `${password}: in the sentence too`)
    t.equal((await storedUser(ctx, input.email)).length, 0, `no account for ${password}`)
  }
  t.match(json(await signup(ctx, validBody({ password: 'Password123' }))).details[0].message, 'on a list of the most used passwords')
})

t.test('signup cannot choose its role, tier, verification or activity', async (t) => {
  const ctx = await build(t)
  const input = validBody({ role: 'admin', tier: 'enterprise', email_verified: true, is_active: false, id: 999, login_attempts: 99 })
  const response = await signup(ctx, input)
  t.equal(response.statusCode, 201)
  const expected = { role: 'user', tier: 'free', email_verified: false, is_active: true }
  t.match(json(response).user, expected)
  t.not(json(response).user.id, 999)

  const me = await request(ctx, 'GET', '/api/auth/me', undefined, json(response).access_token)
  t.match(json(me).user, expected, '/me shows a plain user')

  const [row] = await storedUser(ctx, input.email as string)
  t.match(row, { role: 'user', tier: 'free', emailVerified: false, isActive: true, loginAttempts: 0 }, 'the stored row is a plain user')
  t.equal((await login(ctx, input.email as string, input.password as string)).statusCode, 200, 'the account is active')
})

t.test('ADMIN_EMAILS makes that address an admin, in any case', async (t) => {
  const ctx = await build(t, { env: { ADMIN_EMAILS: 'ops@example.com, Boss@Example.com' } })
  const boss = await signup(ctx, validBody({ email: ' BOSS@example.COM' }))
  t.equal(boss.statusCode, 201)
  t.equal(json(boss).user.role, 'admin')
  t.equal((await storedUser(ctx, 'boss@example.com'))[0]?.role, 'admin')

  const other = await signup(ctx, validBody())
  t.equal(json(other).user.role, 'user', 'an address not listed stays a user')
})

t.test('the verification email links to APP_URL, never to the Host header', async (t) => {
  const ctx = await build(t)
  const input = validBody()
  ctx.secrets.add(input.password)
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', origin: 'http://evil.example' },
    payload: input,
  })
  t.equal(response.statusCode, 201)
  const mail = await ctx.inbox.waitFor((m) => m.to.includes(input.email))
  t.ok(mail.link?.startsWith(`${APP_URL}/verify-email?token=`), `link built from APP_URL: ${mail.link}`)
  t.notMatch(mail.raw, /evil\.example/, 'the forged host appears nowhere in the email')
  t.match(mail.token, /^[A-Za-z0-9_-]{22,}$/, 'the token carries at least 128 bits')
})

t.test('passwords are stored as argon2id with OWASP parameters and unique salts', async (t) => {
  const ctx = await build(t)
  const password = strongPassword()
  const first = validBody({ password })
  const second = validBody({ password })
  t.equal((await signup(ctx, first)).statusCode, 201)
  t.equal((await signup(ctx, second)).statusCode, 201)
  const [a] = await storedUser(ctx, first.email)
  const [b] = await storedUser(ctx, second.email)
  for (const row of [a, b]) {
    t.equal(argon2Params(row?.passwordHash).algorithm, 'argon2id v=19 m=19456 t=2 p=1')
  }
  t.not(a?.passwordHash, b?.passwordHash, 'the same password hashes differently')
  t.not(argon2Params(a?.passwordHash).salt, argon2Params(b?.passwordHash).salt, 'the salts differ')
  t.notOk(a?.passwordHash.includes(password), 'the password itself is not stored')
})
