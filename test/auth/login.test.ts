import t from 'tap'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema/index.js'
import { LOCKOUT_WINDOW_MS } from '../../src/services/accounts.js'
import { build, createUser, json, login, request, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

const USER_FIELDS = ['created_at', 'email', 'email_verified', 'full_name', 'id', 'is_active', 'last_login', 'role', 'tier']

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function timedLogin(ctx: TestContext, email: string, password: string) {
  const started = performance.now()
  const response = await login(ctx, email, password)
  return { response, ms: performance.now() - started }
}

t.test('a successful login answers the user and a session, and records last_login', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx, { fullName: 'Grace Hopper' })
  ctx.clock.advance(60_000)
  const response = await login(ctx, user.email, user.password)
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.success, true)
  t.type(body.message, 'string')
  t.same(Object.keys(body.user).sort(), USER_FIELDS)
  t.match(body.user, { id: user.id, email: user.email, full_name: 'Grace Hopper', role: 'user', tier: 'free', is_active: true })
  t.equal(body.user.last_login, ctx.clock.now().toISOString(), 'last_login is the time of this login')
  t.notMatch(JSON.stringify(body.user), /\$argon2|\$2[aby]\$/, 'no hash in the user')

  const [row] = await ctx.app.db.select().from(users).where(eq(users.id, user.id))
  t.same(row?.lastLogin, ctx.clock.now(), 'last_login is stored')

  t.match(body.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
  const me = await request(ctx, 'GET', '/api/auth/me', undefined, body.access_token)
  t.equal(me.statusCode, 200, 'the access token opens /me', { body: me.body })
  t.equal(json(me).user?.last_login, body.user.last_login)
  t.equal((await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: body.refresh_token })).statusCode, 200, 'the refresh token works')
})

t.test('emails are compared trimmed and case-insensitively', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const mixed = user.email.replace(/^./, (c) => c.toUpperCase()).replace('@example.com', '@Example.COM')
  for (const email of [user.email.toUpperCase(), `  ${mixed} `]) {
    const response = await login(ctx, email, user.password)
    t.equal(response.statusCode, 200, `log in as ${JSON.stringify(email)}`)
    t.equal(json(response).user.id, user.id)
  }
})

t.test('a wrong password and an unknown email get the same 401', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const wrong = await login(ctx, user.email, strongPassword())
  t.equal(wrong.statusCode, 401)
  t.match(json(wrong), { success: false, code: 'INVALID_CREDENTIALS', error: String })
  t.notOk('access_token' in json(wrong) || 'user' in json(wrong), 'no session, no user')

  const unknown = await login(ctx, uniqueEmail(), strongPassword())
  t.equal(unknown.statusCode, wrong.statusCode)
  t.equal(unknown.body, wrong.body, 'byte-identical bodies')
  t.equal(unknown.headers['content-type'], wrong.headers['content-type'])
})

t.test('passwords are checked exactly as typed', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const near = [swapCase(user.password), user.password.slice(0, -1), user.password.slice(0, 8), `${user.password} `, ` ${user.password}`]
  for (const password of near) {
    const response = await login(ctx, user.email, password)
    t.equal(response.statusCode, 401, `refused: ${password.length} chars, ${password === swapCase(user.password) ? 'case flipped' : 'altered'}`)
    t.equal(json(response).code, 'INVALID_CREDENTIALS')
    // Stay under the lockout threshold: these checks are about matching, not about locking.
    ctx.clock.advance(LOCKOUT_WINDOW_MS + 1000)
  }

  // Spaces around a password are part of it, at signup as at login.
  const spaced = await createUser(ctx, { password: `  ${strongPassword()}  ` })
  t.equal((await login(ctx, spaced.email, spaced.password)).statusCode, 200, 'the exact password with its spaces works')
  t.equal((await login(ctx, spaced.email, spaced.password.trim())).statusCode, 401, 'the trimmed password does not')
})

t.test('an unknown email takes as long as a wrong password', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const wrongPassword = strongPassword()
  ctx.secrets.add(wrongPassword)
  // The first unknown-email login may prepare a dummy hash; keep it out of the samples.
  await login(ctx, uniqueEmail(), wrongPassword)
  await login(ctx, user.email, wrongPassword)

  const unknown: number[] = []
  const wrong: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < 16; i++) {
    ctx.clock.advance(LOCKOUT_WINDOW_MS + 1000)
    // Each pair is measured back to back, in alternating order, so that load on the machine
    // falls on both sides alike.
    const pair = { unknown: 0, wrong: 0 }
    for (const kind of i % 2 ? (['wrong', 'unknown'] as const) : (['unknown', 'wrong'] as const)) {
      const { response, ms } = await timedLogin(ctx, kind === 'wrong' ? user.email : uniqueEmail(), wrongPassword)
      t.equal(response.statusCode, 401, `${kind}: 401`)
      pair[kind] = ms
    }
    unknown.push(pair.unknown)
    wrong.push(pair.wrong)
    ratios.push(pair.unknown / pair.wrong)
  }
  const ratio = median(ratios)
  // argon2 verification costs ~25 ms and a missed lookup ~1 ms: without a dummy verification the
  // ratio would be near 0.05, and hashing twice would put it near 2.
  t.ok(ratio >= 1 / 1.5 && ratio <= 1.5, `unknown/wrong ${ratio.toFixed(2)}; medians: unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`)
})
