import { createHmac } from 'node:crypto'
import { eq } from 'drizzle-orm'
import t, { type Test } from 'tap'
import type { Clock } from '../../src/clock.js'
import { users } from '../../src/db/schema/index.js'
import { build, createUser, json, login, request, TEST_JWT_SECRET, type TestClock, type TestContext, type TestUser } from '../helper.js'

const ISSUER = 'fetcha-weather'
const AUDIENCE = 'fetcha-weather-api'
const ACCESS_TTL_SECONDS = 15 * 60

type Claims = Record<string, unknown>
type Algorithm = 'none' | 'HS256' | 'HS384' | 'HS512'

const HMAC_DIGEST = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Signs claims ourselves, so that header and payload are whatever the case needs. */
function sign(claims: Claims, alg: Algorithm = 'HS256', secret = TEST_JWT_SECRET): string {
  const input = `${segment({ alg, typ: 'JWT' })}.${segment(claims)}`
  if (alg === 'none') return `${input}.`
  return `${input}.${createHmac(HMAC_DIGEST[alg], secret).update(input).digest('base64url')}`
}

function payloadOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims
}

/** Valid claims for the user's own session (the `sid` of the access token it was issued). */
function validClaims(ctx: TestContext, user: TestUser): Claims {
  const iat = Math.floor(ctx.clock.now().getTime() / 1000)
  return { sub: String(user.id), sid: payloadOf(user.accessToken).sid, typ: 'access', iss: ISSUER, aud: AUDIENCE, iat, exp: iat + ACCESS_TTL_SECONDS }
}

function without(claims: Claims, name: string): Claims {
  const { [name]: _dropped, ...rest } = claims
  return rest
}

/** Replaces the first character of a segment, which always changes its decoded bytes. */
function flipFirst(segmentText: string): string {
  return (segmentText.startsWith('A') ? 'B' : 'A') + segmentText.slice(1)
}

function me(ctx: TestContext, token?: string) {
  return request(ctx, 'GET', '/api/auth/me', undefined, token)
}

function assertRefused(t: Test, response: Awaited<ReturnType<typeof me>>, code?: string) {
  t.equal(response.statusCode, 401, 'answered 401')
  const body = json(response)
  t.equal(body.success, false)
  t.type(body.code, 'string')
  if (code) t.equal(body.code, code)
}

interface ForgeCase {
  name: string
  token(ctx: TestContext, victim: TestUser, other: TestUser): string
}

const forgeries: ForgeCase[] = [
  { name: 'alg none, no signature', token: (ctx, u) => sign(validClaims(ctx, u), 'none') },
  {
    name: 'alg none carrying a valid HS256 signature',
    token: (ctx, u) => {
      const [, payload, signature] = sign(validClaims(ctx, u)).split('.')
      return `${segment({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`
    },
  },
  { name: 'HS384 with the right secret', token: (ctx, u) => sign(validClaims(ctx, u), 'HS384') },
  { name: 'HS512 with the right secret', token: (ctx, u) => sign(validClaims(ctx, u), 'HS512') },
  { name: 'HS256 with another secret', token: (ctx, u) => sign(validClaims(ctx, u), 'HS256', `${TEST_JWT_SECRET}-other`) },
  {
    name: 'payload tampered to another user',
    token: (_ctx, victim, other) => {
      const [header, , signature] = victim.accessToken.split('.')
      return `${header}.${segment({ ...payloadOf(victim.accessToken), sub: String(other.id) })}.${signature}`
    },
  },
  {
    name: 'signature tampered',
    token: (_ctx, u) => {
      const [header, payload, signature] = u.accessToken.split('.')
      return `${header}.${payload}.${flipFirst(signature ?? '')}`
    },
  },
  { name: 'signature stripped', token: (_ctx, u) => u.accessToken.split('.').slice(0, 2).join('.') + '.' },
  { name: 'no exp', token: (ctx, u) => sign(without(validClaims(ctx, u), 'exp')) },
  { name: 'no iat', token: (ctx, u) => sign(without(validClaims(ctx, u), 'iat')) },
  { name: 'no aud', token: (ctx, u) => sign(without(validClaims(ctx, u), 'aud')) },
  { name: 'wrong aud', token: (ctx, u) => sign({ ...validClaims(ctx, u), aud: 'some-other-api' }) },
  { name: 'no iss', token: (ctx, u) => sign(without(validClaims(ctx, u), 'iss')) },
  { name: 'wrong iss', token: (ctx, u) => sign({ ...validClaims(ctx, u), iss: 'someone-else' }) },
  { name: 'no typ', token: (ctx, u) => sign(without(validClaims(ctx, u), 'typ')) },
  { name: 'typ refresh', token: (ctx, u) => sign({ ...validClaims(ctx, u), typ: 'refresh' }) },
  { name: 'typ reset', token: (ctx, u) => sign({ ...validClaims(ctx, u), typ: 'reset' }) },
  { name: 'sub of no user', token: (ctx, u) => sign({ ...validClaims(ctx, u), sub: '987654' }) },
  { name: 'sub not a number', token: (ctx, u) => sign({ ...validClaims(ctx, u), sub: `${u.id} or 1=1` }) },
  { name: 'the refresh token', token: (_ctx, u) => u.refreshToken },
  { name: 'no sid', token: (ctx, u) => sign(without(validClaims(ctx, u), 'sid')) },
  { name: 'a sid that names no session', token: (ctx, u) => sign({ ...validClaims(ctx, u), sid: '00000000-0000-4000-8000-000000000000' }) },
  { name: 'a sid that is not a session id', token: (ctx, u) => sign({ ...validClaims(ctx, u), sid: "x' or 1=1 --" }) },
  { name: 'a numeric sid', token: (ctx, u) => sign({ ...validClaims(ctx, u), sid: 42 }) },
  { name: "another user's session", token: (ctx, u, other) => sign({ ...validClaims(ctx, u), sid: payloadOf(other.accessToken).sid }) },
]

/** A clock that reports itself as the system clock, so the app uses its shared production verifier. */
const systemLikeClock: Clock = { now: () => new Date(), isSystem: true }

// The app verifies through one cached verifier on the real clock and a per-call one on a moved
// clock; each forgery must fail on both paths.
for (const [path, clock] of [['injected clock', undefined], ['system clock', systemLikeClock]] as const) {
  t.test(`forged and misused access tokens on GET /me (${path})`, async (t) => {
    const ctx = await build(t, clock ? { clock: clock as unknown as TestClock } : {})
    const victim = await createUser(ctx)
    const other = await createUser(ctx)

    t.test('control: a token signed here with valid claims is accepted', async (t) => {
      const response = await me(ctx, sign(validClaims(ctx, victim)))
      t.equal(response.statusCode, 200)
      t.equal(json(response).user.id, victim.id)
    })

    t.test('control: the issued access token is accepted', async (t) => {
      t.equal((await me(ctx, victim.accessToken)).statusCode, 200)
    })

    t.test('no Authorization header', async (t) => assertRefused(t, await me(ctx)))

    t.test('a non-Bearer scheme', async (t) => {
      const response = await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Basic ${victim.accessToken}` } })
      assertRefused(t, response)
    })

    for (const forgery of forgeries) {
      t.test(forgery.name, async (t) => assertRefused(t, await me(ctx, forgery.token(ctx, victim, other))))
    }
  })
}

t.test('an access token used as a refresh token is refused', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const viaBody = await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: user.accessToken })
  t.equal(viaBody.statusCode, 401)
  t.equal(json(viaBody).code, 'INVALID_TOKEN')
  const viaBearer = await request(ctx, 'POST', '/api/auth/refresh', undefined, user.accessToken)
  t.equal(viaBearer.statusCode, 401)
  t.equal(json(viaBearer).code, 'INVALID_TOKEN')
})

t.test('issued access tokens live exactly 15 minutes', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const claims = payloadOf(user.accessToken)
  t.equal(Number(claims.exp) - Number(claims.iat), ACCESS_TTL_SECONDS)
  t.equal(claims.iss, ISSUER)
  t.equal(claims.aud, AUDIENCE)
  t.equal(claims.sub, String(user.id))
  t.equal(claims.typ, 'access')
  t.same(JSON.parse(Buffer.from(user.accessToken.split('.')[0] ?? '', 'base64url').toString('utf8')), { alg: 'HS256', typ: 'JWT' })

  const expiry = Number(claims.exp) * 1000
  ctx.clock.set(new Date(expiry - 1000))
  t.equal((await me(ctx, user.accessToken)).statusCode, 200, 'still valid a second before exp')
  ctx.clock.set(new Date(expiry + 1000))
  assertRefused(t, await me(ctx, user.accessToken), 'TOKEN_EXPIRED')
})

t.test('a token 15 minutes and 1 second old is expired', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  ctx.clock.advance(ACCESS_TTL_SECONDS * 1000 + 1000)
  assertRefused(t, await me(ctx, user.accessToken), 'TOKEN_EXPIRED')
})

t.test('a correctly signed token whose exp has passed is expired', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const now = Math.floor(ctx.clock.now().getTime() / 1000)
  const stale = sign({ ...validClaims(ctx, user), iat: now - 2 * ACCESS_TTL_SECONDS, exp: now - ACCESS_TTL_SECONDS })
  assertRefused(t, await me(ctx, stale), 'TOKEN_EXPIRED')
})

t.test('deactivation cuts off access, refresh and login at once', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  t.equal((await me(ctx, user.accessToken)).statusCode, 200, 'works while active')

  await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.id, user.id))

  assertRefused(t, await me(ctx, user.accessToken), 'ACCOUNT_DISABLED')
  const refreshed = await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: user.refreshToken })
  t.equal(refreshed.statusCode, 401, 'refresh refused')
  t.notOk(json(refreshed).access_token, 'no new token handed out')
  const loggedIn = await login(ctx, user.email, user.password)
  t.equal(loggedIn.statusCode, 401, 'login refused')
  t.notOk(json(loggedIn).access_token)
})
