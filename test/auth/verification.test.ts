import t, { type Test } from 'tap'
import { eq } from 'drizzle-orm'
import { oneTimeTokens, users } from '../../src/db/schema/index.js'
import { APP_URL, build, createUser, json, login, request, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

const DAY_MS = 24 * 60 * 60 * 1000
const COOLDOWN_MS = 2 * 60 * 1000

/** The tokens of every email sent so far to `email` whose link goes to `path`, oldest first. */
async function tokensFor(ctx: TestContext, email: string, path: '/verify-email' | '/reset-password'): Promise<string[]> {
  await ctx.app.mailer.drain()
  return ctx.inbox
    .to(email)
    .filter((m) => m.link?.startsWith(`${APP_URL}${path}?`))
    .map((m) => m.token ?? '')
}

async function latestToken(ctx: TestContext, email: string, path: '/verify-email' | '/reset-password'): Promise<string> {
  const tokens = await tokensFor(ctx, email, path)
  if (tokens.length === 0) throw new Error(`no ${path} email for ${email}`)
  return tokens[tokens.length - 1]!
}

function verify(ctx: TestContext, token: string) {
  return request(ctx, 'POST', '/api/auth/verify-email', { token })
}

function resend(ctx: TestContext, email: string) {
  return request(ctx, 'POST', '/api/auth/resend-verification', { email })
}

async function isVerified(ctx: TestContext, id: number): Promise<boolean | undefined> {
  const [row] = await ctx.app.db.select({ verified: users.emailVerified }).from(users).where(eq(users.id, id))
  return row?.verified
}

function assertInvalidToken(t: Test, response: { statusCode: number; body: string }, why: string) {
  t.equal(response.statusCode, 400, why)
  t.match(JSON.parse(response.body), { success: false, code: 'INVALID_TOKEN', error: String })
}

t.test('the emailed token verifies the address, once', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await latestToken(ctx, user.email, '/verify-email')
  t.match(token, /^[A-Za-z0-9_-]{22,}$/, 'at least 128 bits of base64url')

  const stored = await ctx.app.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id))
  t.equal(stored.length, 1)
  t.not(stored[0]?.tokenHash, token, 'only a hash of the token is stored')
  t.notOk(JSON.stringify(stored).includes(token), 'the token appears nowhere in its row')

  const response = await verify(ctx, token)
  t.equal(response.statusCode, 200, 'the emailed token verifies', { body: response.body })
  t.match(json(response), { success: true, user: { id: user.id, email: user.email, email_verified: true } })
  t.equal(await isVerified(ctx, user.id), true)
  const me = await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken)
  t.equal(json(me).user.email_verified, true)

  assertInvalidToken(t, await verify(ctx, token), 'a used token is refused')
})

t.test('made-up tokens are refused', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const real = await latestToken(ctx, user.email, '/verify-email')
  const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A')
  for (const token of ['not-a-token', 'A'.repeat(43), flipped]) {
    assertInvalidToken(t, await verify(ctx, token), `refused: ${token.length} characters`)
  }
  t.equal(await isVerified(ctx, user.id), false, 'the address is still unverified')
})

t.test('of ten parallel uses of one token exactly one wins', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await latestToken(ctx, user.email, '/verify-email')
  const responses = await Promise.all(Array.from({ length: 10 }, () => verify(ctx, token)))
  const statuses = responses.map((r) => r.statusCode)
  t.equal(statuses.filter((s) => s === 200).length, 1, `one 200: ${statuses.join(',')}`)
  t.equal(statuses.filter((s) => s === 400).length, 9, 'nine 400')
})

t.test('verification tokens expire after 24 hours', async (t) => {
  const ctx = await build(t)
  const early = await createUser(ctx)
  const late = await createUser(ctx)
  const earlyToken = await latestToken(ctx, early.email, '/verify-email')
  const lateToken = await latestToken(ctx, late.email, '/verify-email')

  ctx.clock.advance(DAY_MS - 2 * 60 * 1000)
  t.equal((await verify(ctx, earlyToken)).statusCode, 200, 'still valid just before 24 h')
  ctx.clock.advance(3 * 60 * 1000)
  assertInvalidToken(t, await verify(ctx, lateToken), 'expired after 24 h + 1 min')
  t.equal(await isVerified(ctx, late.id), false)
})

t.test('resend-verification answers the same for every email', async (t) => {
  const ctx = await build(t)
  const unverified = await createUser(ctx)
  const verified = await createUser(ctx)
  t.equal((await verify(ctx, await latestToken(ctx, verified.email, '/verify-email'))).statusCode, 200)
  const unknown = uniqueEmail('nobody')

  const responses = []
  for (let round = 0; round < 2; round++) {
    for (const email of [unverified.email, verified.email, unknown]) responses.push(await resend(ctx, email))
  }
  const first = responses[0]!
  t.equal(first.statusCode, 200)
  t.match(json(first), { success: true, message: String })
  for (const response of responses) {
    t.equal(response.statusCode, first.statusCode)
    t.equal(response.body, first.body, 'byte-identical body')
  }

  ctx.clock.advance(COOLDOWN_MS + 1000)
  t.equal((await resend(ctx, verified.email)).body, first.body)
  t.equal((await resend(ctx, unknown)).body, first.body)
  await ctx.app.mailer.drain()
  t.equal(ctx.inbox.to(verified.email).length, 1, 'a verified address gets no further email')
  t.equal(ctx.inbox.to(unknown).length, 0, 'an unknown address gets nothing')
})

t.test('at most one verification email per cooldown', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  t.equal((await tokensFor(ctx, user.email, '/verify-email')).length, 1, 'the signup email')

  t.equal((await resend(ctx, user.email)).statusCode, 200)
  t.equal((await tokensFor(ctx, user.email, '/verify-email')).length, 1, 'nothing new within the cooldown of signup')

  ctx.clock.advance(COOLDOWN_MS + 1000)
  t.equal((await resend(ctx, user.email)).statusCode, 200)
  t.equal((await resend(ctx, user.email)).statusCode, 200)
  t.equal((await tokensFor(ctx, user.email, '/verify-email')).length, 2, 'two requests in a row send one email')

  ctx.clock.advance(COOLDOWN_MS + 1000)
  t.equal((await resend(ctx, `  ${user.email.toUpperCase()} `)).statusCode, 200)
  t.equal((await tokensFor(ctx, user.email, '/verify-email')).length, 3, 'after the cooldown another is sent, whatever the case')
})

t.test('the newest verification token supersedes older ones', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const older = await latestToken(ctx, user.email, '/verify-email')
  ctx.clock.advance(COOLDOWN_MS + 1000)
  await resend(ctx, user.email)
  const newer = await latestToken(ctx, user.email, '/verify-email')
  t.not(newer, older, 'a new token was issued')

  assertInvalidToken(t, await verify(ctx, older), 'the older token stopped working')
  t.equal((await verify(ctx, newer)).statusCode, 200, 'the newest works')
})

t.test('verification and reset tokens are not interchangeable', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const verifyToken = await latestToken(ctx, user.email, '/verify-email')
  t.equal((await request(ctx, 'POST', '/api/auth/forgot-password', { email: user.email })).statusCode, 200)
  const resetToken = await latestToken(ctx, user.email, '/reset-password')
  const newPassword = strongPassword()
  ctx.secrets.add(newPassword)

  assertInvalidToken(t, await verify(ctx, resetToken), 'a reset token does not verify an email')
  t.equal(await isVerified(ctx, user.id), false)
  const crossed = await request(ctx, 'POST', '/api/auth/reset-password', { token: verifyToken, new_password: newPassword })
  assertInvalidToken(t, crossed, 'a verification token does not reset a password')
  t.equal((await login(ctx, user.email, newPassword)).statusCode, 401, 'the password is unchanged')

  // Each token still does its own job, so the refusals above were about purpose, not validity.
  t.equal((await verify(ctx, verifyToken)).statusCode, 200)
  const reset = await request(ctx, 'POST', '/api/auth/reset-password', { token: resetToken, new_password: newPassword })
  t.equal(reset.statusCode, 200)
  t.equal((await login(ctx, user.email, newPassword)).statusCode, 200)
})
