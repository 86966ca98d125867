import { eq } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { oneTimeTokens } from '../../src/db/schema/index.js'
import { APP_URL, build, createUser, json, login, request, strongPassword, uniqueEmail, type TestContext } from '../helper.js'
import type { CapturedEmail } from '../helpers/inbox.js'

const EMAIL_COOLDOWN_MS = 2 * 60_000
const RESET_TTL_MS = 60 * 60_000
const RESET_LINK_PREFIX = `${APP_URL}/reset-password?token=`
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22,}$/

const isResetMail = (m: CapturedEmail) => m.link?.includes('/reset-password?') ?? false
const isVerifyMail = (m: CapturedEmail) => m.link?.includes('/verify-email?') ?? false

function forgot(ctx: TestContext, email: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email }, headers })
}

function reset(ctx: TestContext, token: string, password: string) {
  ctx.secrets.add(password)
  return request(ctx, 'POST', '/api/auth/reset-password', { token, new_password: password })
}

/** Every reset email the address has received, once the mailer has handed over what it queued. */
async function resetMails(ctx: TestContext, email: string): Promise<CapturedEmail[]> {
  await ctx.app.mailer.drain()
  return ctx.inbox.to(email).filter(isResetMail)
}

/** Asks for a reset and answers the token of the email it must have produced. */
async function resetToken(ctx: TestContext, email: string): Promise<string> {
  const before = (await resetMails(ctx, email)).length
  const response = await forgot(ctx, email)
  if (response.statusCode !== 200) throw new Error(`forgot-password answered ${response.statusCode}`)
  const mails = await resetMails(ctx, email)
  const token = mails.at(-1)?.token
  if (mails.length !== before + 1 || !token) throw new Error(`expected one new reset email, got ${mails.length - before}`)
  return token
}

function assertInvalidToken(t: Test, response: Awaited<ReturnType<typeof reset>>, what: string) {
  t.equal(response.statusCode, 400, what)
  t.equal(json(response).code, 'INVALID_TOKEN', `${what}: INVALID_TOKEN`)
}

function assertPasswordRejected(t: Test, response: Awaited<ReturnType<typeof reset>>, what: string, code = 'VALIDATION_ERROR') {
  t.equal(response.statusCode, 400, what)
  const body = json(response)
  t.equal(body.code, code, `${what}: ${code}`)
  t.ok((body.details as { field: string }[] | undefined)?.some((d) => d.field === 'new_password'), `${what}: details name new_password`)
}

t.test('forgot-password answers alike for known and unknown emails and mails once per cooldown', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const stranger = uniqueEmail('nobody')
  const first = await forgot(ctx, user.email)
  t.equal(first.statusCode, 200)
  t.equal(json(first).success, true)

  for (let round = 0; round < 4; round++) {
    for (const email of [user.email, stranger]) {
      const response = await forgot(ctx, email)
      t.equal(response.statusCode, first.statusCode, `round ${round}, ${email === stranger ? 'unknown' : 'known'}: same status`)
      t.same(json(response), json(first), `round ${round}, ${email === stranger ? 'unknown' : 'known'}: same body`)
    }
  }
  t.equal((await resetMails(ctx, user.email)).length, 1, 'one email within the cooldown')
  t.equal(ctx.inbox.to(stranger).length, 0, 'nothing sent to an unknown address')

  ctx.clock.advance(EMAIL_COOLDOWN_MS + 1_000)
  const later = await forgot(ctx, user.email)
  t.same(json(later), json(first), 'same answer after the cooldown')
  t.equal((await resetMails(ctx, user.email)).length, 2, 'a second email once the cooldown has passed')
})

// With TRUST_PROXY the forwarded headers are honoured for the client address; links must still ignore them.
const proxySettings: Record<string, string>[] = [{}, { TRUST_PROXY: '127.0.0.1/32' }]
for (const env of proxySettings) {
  t.test(`the reset link is built from APP_URL, not the request (${JSON.stringify(env)})`, async (t) => {
    const ctx = await build(t, { env })
    const user = await createUser(ctx)
    const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }
    t.equal((await forgot(ctx, user.email, headers)).statusCode, 200)
    const [mail] = await resetMails(ctx, user.email)
    t.ok(mail?.link?.startsWith(RESET_LINK_PREFIX), `the link starts with ${RESET_LINK_PREFIX}`)
    t.notMatch(mail?.raw ?? '', /evil\.example/, 'the forged host appears nowhere in the email')
  })
}

t.test('reset tokens are long, random and stored only hashed', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await resetToken(ctx, user.email)
  t.match(token, TOKEN_SHAPE, 'at least 22 base64url characters (128 bits)')

  const other = await createUser(ctx)
  t.not(await resetToken(ctx, other.email), token, 'tokens differ between accounts')

  const rows = await ctx.app.db.select().from(oneTimeTokens).where(eq(oneTimeTokens.userId, user.id))
  t.ok(rows.some((r) => r.purpose === 'reset_password'), 'the reset token has a row')
  t.notOk(JSON.stringify(await ctx.app.db.select().from(oneTimeTokens)).includes(token), 'the plaintext token is not stored')
})

t.test('a reset sets the password, ends every session and spends the token', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const otherSession = json(await login(ctx, user.email, user.password)).refresh_token as string
  const token = await resetToken(ctx, user.email)
  const next = strongPassword()

  const response = await reset(ctx, token, next)
  t.equal(response.statusCode, 200)
  t.equal(json(response).success, true)
  t.equal((await login(ctx, user.email, next)).statusCode, 200, 'the new password logs in')
  t.equal((await login(ctx, user.email, user.password)).statusCode, 401, 'the old password does not')
  for (const old of [user.refreshToken, otherSession]) {
    const refreshed = await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: old })
    t.equal(refreshed.statusCode, 401, 'an earlier refresh token is revoked')
  }

  assertInvalidToken(t, await reset(ctx, token, strongPassword()), 'a second use')
  t.equal((await login(ctx, user.email, next)).statusCode, 200, 'the second use changed nothing')
})

t.test('of 10 parallel resets with one token exactly one succeeds', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await resetToken(ctx, user.email)
  const passwords = Array.from({ length: 10 }, () => strongPassword())
  const responses = await Promise.all(passwords.map((p) => reset(ctx, token, p)))

  const winners = responses.flatMap((r, i) => (r.statusCode === 200 ? [i] : []))
  t.equal(winners.length, 1, 'exactly one 200')
  for (const r of responses.filter((r) => r.statusCode !== 200)) assertInvalidToken(t, r, 'a losing racer')
  const winner = winners[0] ?? 0
  t.equal((await login(ctx, user.email, passwords[winner]!)).statusCode, 200, "the winner's password logs in")
  t.equal((await login(ctx, user.email, passwords[(winner + 1) % 10]!)).statusCode, 401, "a loser's password does not")
})

t.test('reset tokens expire after one hour', async (t) => {
  const ctx = await build(t)
  const early = await createUser(ctx)
  const late = await createUser(ctx)
  const earlyToken = await resetToken(ctx, early.email)
  const lateToken = await resetToken(ctx, late.email)

  ctx.clock.advance(RESET_TTL_MS - 60_000)
  t.equal((await reset(ctx, earlyToken, strongPassword())).statusCode, 200, 'valid at 59 minutes')
  ctx.clock.advance(2 * 60_000)
  assertInvalidToken(t, await reset(ctx, lateToken, strongPassword()), 'refused at 61 minutes')
  t.equal((await login(ctx, late.email, late.password)).statusCode, 200, 'the password is unchanged')
})

t.test('a newer reset token supersedes an older one', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const older = await resetToken(ctx, user.email)
  ctx.clock.advance(EMAIL_COOLDOWN_MS + 1_000)
  const newer = await resetToken(ctx, user.email)
  t.not(newer, older)

  assertInvalidToken(t, await reset(ctx, older, strongPassword()), 'the older token')
  t.equal((await reset(ctx, newer, strongPassword())).statusCode, 200, 'the newer token works')
})

t.test('verification and reset tokens are not interchangeable', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const verifyToken = (await ctx.inbox.waitFor((m) => m.to.includes(user.email) && isVerifyMail(m))).token!
  const resetTok = await resetToken(ctx, user.email)

  assertInvalidToken(t, await reset(ctx, verifyToken, strongPassword()), 'a verification token on reset-password')
  assertInvalidToken(t, await request(ctx, 'POST', '/api/auth/verify-email', { token: resetTok }), 'a reset token on verify-email')

  t.equal((await request(ctx, 'POST', '/api/auth/verify-email', { token: verifyToken })).statusCode, 200, 'the verification token still verifies')
  t.equal((await reset(ctx, resetTok, strongPassword())).statusCode, 200, 'the reset token still resets')
})

t.test('a rejected new password leaves the reset token usable', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await resetToken(ctx, user.email)

  assertPasswordRejected(t, await reset(ctx, token, 'Wb7-x!q'), '7 characters')
  assertPasswordRejected(t, await reset(ctx, token, 'password123'), 'a common password', 'WEAK_PASSWORD')
  const next = strongPassword()
  t.equal((await reset(ctx, token, next)).statusCode, 200, 'the token then works with a good password')
  t.equal((await login(ctx, user.email, next)).statusCode, 200)
})

t.test('unknown and malformed reset tokens are refused', async (t) => {
  const ctx = await build(t)
  await createUser(ctx)
  assertInvalidToken(t, await reset(ctx, 'A'.repeat(43), strongPassword()), 'an unknown token of the right shape')
  assertInvalidToken(t, await reset(ctx, "' or '1'='1", strongPassword()), 'an SQL payload')
  const empty = await reset(ctx, '', strongPassword())
  t.equal(empty.statusCode, 400, 'an empty token')
})
