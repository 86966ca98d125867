import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, createUser, json, request, type TestContext } from '../helper.js'

const COOKIE_MODE = { 'x-refresh-cookie': '1' }

/** The fw_refresh cookie a response sets, with its attributes, or undefined. */
function refreshCookie(response: LightMyRequestResponse) {
  return response.cookies.find((c) => c.name === 'fw_refresh')
}

function post(ctx: TestContext, url: string, options: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}) {
  return ctx.app.inject({
    method: 'POST',
    url,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
    headers: { ...options.headers, ...(options.cookie ? { cookie: `fw_refresh=${options.cookie}` } : {}) },
  })
}

async function cookieLogin(ctx: TestContext) {
  const user = await createUser(ctx)
  const response = await post(ctx, '/api/auth/login', { body: { email: user.email, password: user.password }, headers: COOKIE_MODE })
  const cookie = refreshCookie(response)
  if (response.statusCode !== 200 || !cookie) throw new Error(`cookie login failed: ${response.statusCode}`)
  ctx.secrets.add(cookie.value)
  return { user, response, cookie }
}

t.test('with X-Refresh-Cookie the refresh token travels as an HttpOnly cookie, never in the body', async (t) => {
  const ctx = await build(t)
  const { response, cookie } = await cookieLogin(ctx)
  const body = json(response)
  t.equal(body.refresh_token, undefined, 'not in the body')
  t.type(body.access_token, 'string', 'the access token still is')
  t.equal(cookie.httpOnly, true, 'HttpOnly: no script can read it')
  t.equal(cookie.sameSite, 'Strict', 'SameSite=Strict: no other site can send it')
  t.equal(cookie.path, '/api/auth', 'sent to the auth routes only')
  t.equal(cookie.secure, true, 'Secure, since APP_URL is https')
  t.equal(cookie.maxAge, 30 * 24 * 3600, 'as long as the refresh token lives')
  t.match(cookie.value, /^[A-Za-z0-9_-]{43}$/)
})

t.test('a refresh with the cookie rotates it; the old cookie then revokes the session', async (t) => {
  const ctx = await build(t)
  const { cookie } = await cookieLogin(ctx)
  const first = await post(ctx, '/api/auth/refresh', { body: {}, cookie: cookie.value, headers: COOKIE_MODE })
  t.equal(first.statusCode, 200)
  const next = refreshCookie(first)
  t.ok(next && next.value !== cookie.value, 'a new cookie replaces the old one')
  ctx.secrets.add(next!.value)
  t.equal(json(first).refresh_token, undefined)
  t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, json(first).access_token)).statusCode, 200, 'the new access token works')

  ctx.clock.advance(11_000)
  const replay = await post(ctx, '/api/auth/refresh', { body: {}, cookie: cookie.value, headers: COOKIE_MODE })
  t.equal(replay.statusCode, 401, 'the rotated cookie is refused')
  t.equal(refreshCookie(replay)?.value, '', 'and cleared')
  const after = await post(ctx, '/api/auth/refresh', { body: {}, cookie: next!.value, headers: COOKIE_MODE })
  t.equal(after.statusCode, 401, 'the replay revoked the whole session')
})

t.test('the cookie is read only with the header: a plain form post from elsewhere cannot use it', async (t) => {
  const ctx = await build(t)
  const { cookie } = await cookieLogin(ctx)
  const withoutHeader = await post(ctx, '/api/auth/refresh', { body: {}, cookie: cookie.value })
  t.equal(withoutHeader.statusCode, 401)
  t.equal(json(withoutHeader).code, 'INVALID_TOKEN')
  const withHeader = await post(ctx, '/api/auth/refresh', { body: {}, cookie: cookie.value, headers: COOKIE_MODE })
  t.equal(withHeader.statusCode, 200, 'the cookie was still good')
  ctx.secrets.add(refreshCookie(withHeader)!.value)
})

t.test('logout with the cookie ends its session and clears it', async (t) => {
  const ctx = await build(t)
  const { cookie } = await cookieLogin(ctx)
  const out = await post(ctx, '/api/auth/logout', { cookie: cookie.value, headers: COOKIE_MODE })
  t.equal(out.statusCode, 200)
  t.equal(refreshCookie(out)?.value, '', 'the cookie is cleared')
  t.equal((await post(ctx, '/api/auth/refresh', { body: {}, cookie: cookie.value, headers: COOKIE_MODE })).statusCode, 401, 'the session is over')
  t.equal((await post(ctx, '/api/auth/logout', { headers: COOKIE_MODE })).statusCode, 200, 'logging out without a cookie is harmless')
  const bare = await post(ctx, '/api/auth/logout', { body: {} })
  t.equal(bare.statusCode, 400, 'without the cookie header a refresh token is required')
  t.equal(json(bare).details[0].field, 'refresh_token')
})

t.test('POST /api/auth/logout-all ends every session of the account, and only of it', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const other = await createUser(ctx)
  const second = json(await request(ctx, 'POST', '/api/auth/login', { email: user.email, password: user.password }))
  t.equal((await request(ctx, 'POST', '/api/auth/logout-all')).statusCode, 401, 'an access token is required')
  const out = await request(ctx, 'POST', '/api/auth/logout-all', undefined, user.accessToken)
  t.equal(out.statusCode, 200)
  t.equal(json(out).message, 'Logged out everywhere')
  for (const token of [user.refreshToken, second.refresh_token]) {
    t.equal((await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: token })).statusCode, 401, 'a session of the account ended')
  }
  t.equal((await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: other.refreshToken })).statusCode, 200, 'another account keeps its session')
})
