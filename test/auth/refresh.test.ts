import t, { type Test } from 'tap'
import { refreshTokens } from '../../src/db/schema/index.js'
import { build, createUser, json, login, request, type TestContext } from '../helper.js'

const REUSE_WINDOW_MS = 10_000
const PAST_REUSE_WINDOW_MS = REUSE_WINDOW_MS + 1_000
const REFRESH_TTL_MS = 30 * 24 * 60 * 60 * 1000

interface Pair {
  access_token: string
  refresh_token: string
}

function refresh(ctx: TestContext, token: string) {
  return request(ctx, 'POST', '/api/auth/refresh', { refresh_token: token })
}

function me(ctx: TestContext, accessToken: string) {
  return request(ctx, 'GET', '/api/auth/me', undefined, accessToken)
}

/** Refreshes and insists it worked; answers the new pair. */
async function rotate(t: Test, ctx: TestContext, token: string, what = 'refresh accepted'): Promise<Pair> {
  const response = await refresh(ctx, token)
  t.equal(response.statusCode, 200, what)
  return json(response) as Pair
}

/** Refreshes and insists it was refused as the contract says. */
async function assertDead(t: Test, ctx: TestContext, token: string, what: string) {
  const response = await refresh(ctx, token)
  t.equal(response.statusCode, 401, what)
  t.equal(json(response).code, 'INVALID_TOKEN', `${what}: INVALID_TOKEN`)
  t.notOk(json(response).refresh_token, `${what}: no token handed out`)
}

t.test('a refresh hands out a working access token and a different refresh token', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const refreshToken = user.refreshToken
  const response = await refresh(ctx, refreshToken)
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.success, true)
  t.equal(body.token_type, 'Bearer')
  t.equal(body.expires_in, 900)
  t.type(body.refresh_token, 'string')
  t.not(body.refresh_token, refreshToken, 'the refresh token rotated')
  const who = await me(ctx, body.access_token)
  t.equal(who.statusCode, 200, 'the new access token works')
  t.equal(json(who).user.id, user.id)
  await rotate(t, ctx, body.refresh_token, 'the new refresh token works')
})

t.test('the refresh token is accepted as a Bearer credential with no body', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const refreshToken = user.refreshToken
  const response = await request(ctx, 'POST', '/api/auth/refresh', undefined, refreshToken)
  t.equal(response.statusCode, 200)
  const body = json(response) as Pair
  t.not(body.refresh_token, refreshToken)
  t.equal(json(await me(ctx, body.access_token)).user.id, user.id)
})

t.test('refresh tokens are stored only as hashes', async (t) => {
  const ctx = await build(t)
  const { refreshToken } = await createUser(ctx)
  const next = await rotate(t, ctx, refreshToken)
  const rows = await ctx.app.db.select().from(refreshTokens)
  t.equal(rows.length, 2, 'both tokens have a row')
  const stored = JSON.stringify(rows)
  t.notOk(stored.includes(refreshToken), 'the first token is not stored in plaintext')
  t.notOk(stored.includes(next.refresh_token), 'the rotated token is not stored in plaintext')
})

t.test('replaying a rotated token after the reuse window revokes the whole family', async (t) => {
  const ctx = await build(t)
  const { refreshToken: first } = await createUser(ctx)
  const second = await rotate(t, ctx, first)
  const third = await rotate(t, ctx, second.refresh_token)

  ctx.clock.advance(PAST_REUSE_WINDOW_MS)
  await assertDead(t, ctx, first, 'the replayed token is refused')
  await assertDead(t, ctx, third.refresh_token, 'the newest token of the family is revoked too')
})

t.test('a duplicate inside the reuse window receives the very successor, never a new branch', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const first = user.refreshToken
  const winner = await rotate(t, ctx, first)
  const duplicate = await rotate(t, ctx, first, 'the racing duplicate is served')
  t.equal(duplicate.refresh_token, winner.refresh_token, 'the same successor')
  t.equal(json(await me(ctx, duplicate.access_token)).user.id, user.id)
  t.equal((await ctx.app.db.select().from(refreshTokens)).length, 2, 'one token and its one successor: no branch')

  // The winner rotated again within the window: a late duplicate joins the newest token.
  const third = await rotate(t, ctx, winner.refresh_token)
  const late = await rotate(t, ctx, first, 'a later duplicate is served too')
  t.equal(late.refresh_token, third.refresh_token, 'with the newest token of the chain')

  ctx.clock.advance(PAST_REUSE_WINDOW_MS)
  await assertDead(t, ctx, first, 'replay after the window')
  await assertDead(t, ctx, third.refresh_token, 'the family is revoked')
})

for (const racers of [2, 8, 20]) {
  t.test(`${racers} parallel refreshes with one token all receive one successor: one live session`, async (t) => {
    const ctx = await build(t)
    const { refreshToken: first } = await createUser(ctx)
    const responses = await Promise.all(Array.from({ length: racers }, () => refresh(ctx, first)))
    t.same(responses.map((r) => r.statusCode), Array(racers).fill(200), 'every racer is served')
    const issued = new Set(responses.map((r) => (json(r) as Pair).refresh_token))
    t.equal(issued.size, 1, 'and every racer got the same successor')
    t.equal((await ctx.app.db.select().from(refreshTokens)).length, 2, 'the family holds the token and its one successor')
    await rotate(t, ctx, [...issued][0]!, 'the successor works')

    ctx.clock.advance(PAST_REUSE_WINDOW_MS)
    await assertDead(t, ctx, first, 'replay after the window')
  })
}

t.test('logout revokes the session family and no other session', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const first = user.refreshToken
  const second = await rotate(t, ctx, first)
  const otherSession = json(await login(ctx, user.email, user.password)) as Pair

  const out = await request(ctx, 'POST', '/api/auth/logout', { refresh_token: second.refresh_token })
  t.equal(out.statusCode, 200)
  t.equal(json(out).success, true)
  await assertDead(t, ctx, second.refresh_token, 'refresh after logout')
  await rotate(t, ctx, otherSession.refresh_token, 'a separate login is untouched')
})

t.test('logout with a rotated token of the family also ends it', async (t) => {
  const ctx = await build(t)
  const { refreshToken: first } = await createUser(ctx)
  const second = await rotate(t, ctx, first)
  t.equal((await request(ctx, 'POST', '/api/auth/logout', { refresh_token: first })).statusCode, 200)
  await assertDead(t, ctx, second.refresh_token, 'the live token of the family is revoked')
})

t.test('logout of an unknown token answers 200', async (t) => {
  const ctx = await build(t)
  const response = await request(ctx, 'POST', '/api/auth/logout', { refresh_token: 'no-such-token-0123456789' })
  t.equal(response.statusCode, 200)
  t.equal(json(response).success, true)
})

t.test('refresh tokens expire after 30 days', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const early = user.refreshToken
  const late = (json(await login(ctx, user.email, user.password)) as Pair).refresh_token

  ctx.clock.advance(REFRESH_TTL_MS - 60_000)
  await rotate(t, ctx, early, 'valid a minute before 30 days')
  ctx.clock.advance(60_000 + 1_000)
  await assertDead(t, ctx, late, 'refused 30 days and 1 second after issue')
})

t.test('malformed refresh tokens get a 4xx, never a 5xx', async (t) => {
  const ctx = await build(t)
  await createUser(ctx)
  const bodies: [string, unknown][] = [
    ['empty string', { refresh_token: '' }],
    ['no field', {}],
    ['10 kB', { refresh_token: 'a'.repeat(10 * 1024) }],
    ['garbage', { refresh_token: 'garbage' }],
    ['SQL', { refresh_token: "' or '1'='1' --" }],
    ['NUL byte', { refresh_token: 'abc\u0000def' }],
    ['non-ASCII', { refresh_token: 'ö😀'.repeat(20) }],
    ['a number', { refresh_token: 12345 }],
    ['null', { refresh_token: null }],
    ['an array', { refresh_token: ['a', 'b'] }],
    ['an object', { refresh_token: { $ne: '' } }],
  ]
  for (const [name, body] of bodies) {
    for (const route of ['refresh', 'logout']) {
      const response = await request(ctx, 'POST', `/api/auth/${route}`, body)
      t.ok(response.statusCode < 500, `${route}, ${name}: not a 5xx (${response.statusCode})`)
      if (route === 'refresh') t.ok(response.statusCode >= 400, `${route}, ${name}: refused (${response.statusCode})`)
      t.notMatch(response.body, /at .+\.(ts|js):\d+|SELECT|postgres/i, `${route}, ${name}: no internals in the body`)
    }
  }
  for (const [name, token] of [['10 kB', 'b'.repeat(10 * 1024)], ['garbage', 'not.a.token']] as const) {
    const response = await request(ctx, 'POST', '/api/auth/refresh', undefined, token)
    t.equal(response.statusCode, 401, `Bearer ${name}: 401`)
  }
  const notJson = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { 'content-type': 'application/json' }, payload: '{"refresh_token":' })
  t.equal(notJson.statusCode, 400, 'malformed JSON: 400')
})
