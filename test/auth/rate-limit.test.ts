import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { build, json, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

const LIMIT = 3
const signupPassword = strongPassword()

/** A body each route accepts as well-formed, so that only the limiter can refuse it. */
const routes: Record<string, () => Record<string, string>> = {
  login: () => ({ email: uniqueEmail('nobody'), password: 'not-the-password-1' }),
  signup: () => ({ email: uniqueEmail('limited'), password: signupPassword, full_name: 'Limited' }),
  refresh: () => ({ refresh_token: 'r'.repeat(43) }),
  'forgot-password': () => ({ email: uniqueEmail('forgot') }),
  'verify-email': () => ({ token: 'v'.repeat(43) }),
}

async function limitedApp(t: Test, env: Record<string, string> = {}): Promise<TestContext> {
  const ctx = await build(t, { env: { AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT), ...env } })
  for (const secret of [signupPassword, 'not-the-password-1', 'r'.repeat(43), 'v'.repeat(43)]) ctx.secrets.add(secret)
  return ctx
}

function post(ctx: TestContext, route: string, from: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'POST', url: `/api/auth/${route}`, payload: routes[route]!(), remoteAddress: from, headers })
}

function assertLimited(t: Test, response: LightMyRequestResponse, label: string) {
  t.equal(response.statusCode, 429, `${label}: 429`)
  const body = json(response)
  t.equal(body.success, false, `${label}: envelope`)
  t.equal(body.code, 'RATE_LIMITED', `${label}: RATE_LIMITED`)
  t.type(body.error, 'string', `${label}: a sentence`)
  t.equal(response.headers['x-ratelimit-limit'], String(LIMIT), `${label}: X-RateLimit-Limit`)
  t.equal(response.headers['x-ratelimit-remaining'], '0', `${label}: X-RateLimit-Remaining`)
  t.ok(Number(response.headers['retry-after']) > 0, `${label}: Retry-After`)
}

function assertServed(t: Test, response: LightMyRequestResponse, label: string) {
  t.not(response.statusCode, 429, `${label}: not rate-limited (${response.statusCode})`)
  t.ok(response.statusCode < 500, `${label}: no server error`)
}

for (const route of Object.keys(routes)) {
  t.test(`${route}: the request after the limit from one IP is 429, other IPs are unaffected`, async (t) => {
    const ctx = await limitedApp(t)
    for (let i = 1; i <= LIMIT; i++) {
      const response = await post(ctx, route, '10.0.0.1')
      assertServed(t, response, `request ${i}`)
      t.equal(response.headers['x-ratelimit-remaining'], String(LIMIT - i), `request ${i}: remaining counts down`)
    }
    assertLimited(t, await post(ctx, route, '10.0.0.1'), 'over the limit')
    assertLimited(t, await post(ctx, route, '10.0.0.1'), 'still over the limit')
    assertServed(t, await post(ctx, route, '10.0.0.2'), 'another IP')
  })
}

t.test('rotating X-Forwarded-For does not reset the limit without TRUST_PROXY', async (t) => {
  const ctx = await limitedApp(t)
  for (let i = 1; i <= LIMIT; i++) {
    assertServed(t, await post(ctx, 'login', '127.0.0.1', { 'x-forwarded-for': `198.51.100.${i}` }), `request ${i}`)
  }
  assertLimited(t, await post(ctx, 'login', '127.0.0.1', { 'x-forwarded-for': '198.51.100.99' }), 'a new forwarded address')
  assertLimited(t, await post(ctx, 'login', '127.0.0.1', { 'x-forwarded-for': '198.51.100.100, 203.0.113.7' }), 'a forwarded chain')
})

t.test('with TRUST_PROXY the forwarded client address is limited, and only from that proxy', async (t) => {
  const ctx = await limitedApp(t, { TRUST_PROXY: '127.0.0.1' })
  const viaProxy = (client: string) => post(ctx, 'login', '127.0.0.1', { 'x-forwarded-for': client })
  for (let i = 1; i <= LIMIT; i++) assertServed(t, await viaProxy('203.0.113.1'), `client request ${i}`)
  assertLimited(t, await viaProxy('203.0.113.1'), 'the same client again')
  assertServed(t, await viaProxy('203.0.113.2'), 'another client behind the same proxy')
  // Only the configured proxy is believed: anyone else claiming that address is keyed by its own.
  assertServed(t, await post(ctx, 'login', '10.9.9.9', { 'x-forwarded-for': '203.0.113.1' }), 'an untrusted sender naming the limited client')
})

t.test('limits are per route', async (t) => {
  const ctx = await limitedApp(t)
  for (let i = 1; i <= LIMIT; i++) assertServed(t, await post(ctx, 'login', '10.0.0.5'), `login ${i}`)
  assertLimited(t, await post(ctx, 'login', '10.0.0.5'), 'login exhausted')
  const forgot = await post(ctx, 'forgot-password', '10.0.0.5')
  t.equal(forgot.statusCode, 200, 'forgot-password still answers from that IP')
  assertServed(t, await post(ctx, 'signup', '10.0.0.5'), 'signup still answers from that IP')
})
