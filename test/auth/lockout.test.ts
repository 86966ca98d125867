import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { loginThrottle } from '../../src/db/schema/index.js'
import { APP_URL, build, createUser, json, strongPassword, type TestContext, type TestUser } from '../helper.js'

const MAX_FAILURES = 5
const WINDOW_MS = 15 * 60 * 1000

function loginFrom(ctx: TestContext, email: string, password: string, remoteAddress = '127.0.0.1') {
  ctx.secrets.add(password)
  return ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress })
}

/** `count` wrong-password logins, one after the other, each answered 401. */
async function failLogins(t: Test, ctx: TestContext, user: TestUser, count: number, addresses: string[] = ['127.0.0.1']) {
  for (let i = 0; i < count; i++) {
    const response = await loginFrom(ctx, user.email, strongPassword(), addresses[i % addresses.length])
    t.equal(response.statusCode, 401, `failure ${i + 1} is an ordinary 401`)
  }
}

/** Asserts ACCOUNT_LOCKED and answers its Retry-After in seconds. */
function assertLocked(t: Test, response: LightMyRequestResponse): number {
  t.equal(response.statusCode, 429, 'locked')
  t.match(json(response), { success: false, code: 'ACCOUNT_LOCKED', error: String })
  t.notOk('access_token' in json(response), 'no session while locked')
  const retryAfter = Number(response.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_MS / 1000, `Retry-After is 1..900 s: ${response.headers['retry-after']}`)
  return retryAfter
}

t.test('five failures lock the account, even against the right password', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const bystander = await createUser(ctx)
  await failLogins(t, ctx, user, MAX_FAILURES)

  const retryAfter = assertLocked(t, await loginFrom(ctx, user.email, user.password))
  t.ok(retryAfter > WINDOW_MS / 1000 - 5, `locked for the rest of the window: ${retryAfter} s`)
  assertLocked(t, await loginFrom(ctx, user.email, strongPassword()))
  t.equal((await loginFrom(ctx, bystander.email, bystander.password)).statusCode, 200, 'other accounts are not affected')

  ctx.clock.advance(10 * 60 * 1000)
  const later = assertLocked(t, await loginFrom(ctx, user.email, user.password))
  t.ok(later <= 5 * 60 && later > 5 * 60 - 5, `Retry-After counts down: ${later} s`)

  ctx.clock.advance(5 * 60 * 1000 + 1000)
  const unlocked = await loginFrom(ctx, user.email, user.password)
  t.equal(unlocked.statusCode, 200, 'the window has passed')
})

t.test('failures from several addresses count together', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  await failLogins(t, ctx, user, MAX_FAILURES, ['10.0.0.1', '10.0.0.2', '192.0.2.7', '2001:db8::1', '198.51.100.9'])
  assertLocked(t, await loginFrom(ctx, user.email, user.password, '203.0.113.50'))
  assertLocked(t, await loginFrom(ctx, user.email, user.password, '10.0.0.1'))
})

t.test('moving past the window unlocks', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  await failLogins(t, ctx, user, MAX_FAILURES)
  assertLocked(t, await loginFrom(ctx, user.email, user.password))
  ctx.clock.advance(WINDOW_MS + 1000)
  t.equal((await loginFrom(ctx, user.email, user.password)).statusCode, 200)
})

t.test('failures spread over more than the window do not lock', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  // Five failures 14 minutes apart: never more than two of them within any 15 minutes.
  for (let i = 0; i < MAX_FAILURES; i++) {
    if (i > 0) ctx.clock.advance(14 * 60 * 1000)
    await failLogins(t, ctx, user, 1)
  }
  const response = await loginFrom(ctx, user.email, user.password)
  t.equal(response.statusCode, 200, 'five failures over an hour are not five within 15 minutes', { body: response.body })
})

t.test('a success before the fifth failure clears the count', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  await failLogins(t, ctx, user, MAX_FAILURES - 1)
  t.equal((await loginFrom(ctx, user.email, user.password)).statusCode, 200)
  await failLogins(t, ctx, user, MAX_FAILURES - 1)
  t.equal((await loginFrom(ctx, user.email, user.password)).statusCode, 200, 'eight failures around a success do not lock')

  // The count starts again from the success: the fifth failure after it does lock.
  await failLogins(t, ctx, user, MAX_FAILURES)
  assertLocked(t, await loginFrom(ctx, user.email, user.password))
})

t.test('a password reset works while the account is locked', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  await failLogins(t, ctx, user, MAX_FAILURES)
  assertLocked(t, await loginFrom(ctx, user.email, user.password))

  const forgot = await ctx.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: user.email } })
  t.equal(forgot.statusCode, 200)
  const mail = await ctx.inbox.waitFor((m) => m.to.includes(user.email) && Boolean(m.link?.startsWith(`${APP_URL}/reset-password?`)))
  const newPassword = strongPassword()
  ctx.secrets.add(newPassword)
  const reset = await ctx.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { token: mail.token, new_password: newPassword } })
  t.equal(reset.statusCode, 200, reset.body)
  t.equal((await loginFrom(ctx, user.email, newPassword)).statusCode, 200, 'the owner is back in with the new password')
})

t.test('racing guesses cannot exceed five verifications', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => loginFrom(ctx, user.email, strongPassword(), `10.1.0.${i + 1}`)),
  )
  const statuses = responses.map((r) => r.statusCode)
  // Only a verified guess can answer 401; every other guess must be refused before hashing.
  const checked = statuses.filter((s) => s === 401).length
  t.ok(checked >= 1 && checked <= MAX_FAILURES, `at most five guesses were checked: ${statuses.join(',')}`)
  t.equal(statuses.filter((s) => s === 429).length, 20 - checked, 'the rest were refused as locked')
  assertLocked(t, await loginFrom(ctx, user.email, user.password))
})

/** The answers five wrong logins and a sixth give for an email, with or without an account. */
async function lockoutAnswers(ctx: TestContext, email: string) {
  const answers: LightMyRequestResponse[] = []
  for (let i = 0; i <= MAX_FAILURES; i++) answers.push(await loginFrom(ctx, email, strongPassword()))
  return answers
}

t.test('an unknown email locks exactly like an existing account', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const known = await lockoutAnswers(ctx, user.email)
  const unknown = await lockoutAnswers(ctx, `nobody-${Date.now()}@example.com`)

  t.same(unknown.map((r) => r.statusCode), known.map((r) => r.statusCode), 'the same statuses, failure by failure')
  const [knownLock, unknownLock] = [known.at(-1)!, unknown.at(-1)!]
  assertLocked(t, unknownLock)
  t.same(json(unknownLock), json(knownLock), 'the same body')
  t.equal(unknownLock.headers['retry-after'], knownLock.headers['retry-after'], 'the same Retry-After')

  ctx.clock.advance(WINDOW_MS + 1000)
  t.equal((await loginFrom(ctx, `nobody-else@example.com`, strongPassword())).statusCode, 401, 'the window passes for unknown emails too')
})

t.test('an unknown email locked by case or spaces is the same email', async (t) => {
  const ctx = await build(t)
  for (let i = 0; i < MAX_FAILURES; i++) await loginFrom(ctx, 'Ghost@Example.com', strongPassword())
  assertLocked(t, await loginFrom(ctx, '  ghost@example.COM ', strongPassword()))
})

t.test('unknown emails leave no address behind and rows expire with their window', async (t) => {
  const ctx = await build(t)
  const emails = Array.from({ length: 30 }, (_, i) => `probe-${i}@example.com`)
  for (const email of emails) t.equal((await loginFrom(ctx, email, strongPassword())).statusCode, 401)
  const rows = await ctx.app.db.select().from(loginThrottle)
  t.equal(rows.length, emails.length, 'one row per email tried in the window')
  const stored = JSON.stringify(rows)
  t.notOk(emails.some((email) => stored.includes(email) || stored.includes(email.split('@')[0]!)), 'no address is stored')

  ctx.clock.advance(WINDOW_MS + 1000)
  await loginFrom(ctx, 'probe-late@example.com', strongPassword())
  const left = await ctx.app.db.select().from(loginThrottle)
  t.same(left.map((r) => r.attempts), [1], 'only the email tried in the current window is left')
})
