import t from 'tap'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema/index.js'
import { APP_URL, build, json, login, request, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

const REQUIRED = { env: { REQUIRE_EMAIL_VERIFICATION: 'true' } }

function signup(ctx: TestContext, email: string, password: string, fullName = 'Test User') {
  ctx.secrets.add(password)
  return request(ctx, 'POST', '/api/auth/signup', { email, password, full_name: fullName })
}

/** Every email sent so far to `email`, after the mailer has handed them all over. */
async function mailTo(ctx: TestContext, email: string) {
  await ctx.app.mailer.drain()
  return ctx.inbox.to(email)
}

function verificationToken(mail: { link?: string | undefined; token?: string | undefined } | undefined): string {
  if (!mail?.link?.startsWith(`${APP_URL}/verify-email?`) || !mail.token) throw new Error('not a verification email')
  return mail.token
}

t.test('signup answers 201 without a session and sends the verification email', async (t) => {
  const ctx = await build(t, REQUIRED)
  const email = uniqueEmail()
  const response = await signup(ctx, email, strongPassword())
  t.equal(response.statusCode, 201, 'created', { body: response.body })
  const body = json(response)
  t.equal(body.success, true)
  t.equal(body.email_sent, true)
  t.notOk(body.auto_login, 'no automatic login')
  for (const field of ['access_token', 'refresh_token']) t.notOk(field in body, `no ${field}`)
  t.notMatch(response.body, /eyJ[\w-]+\./, 'no JWT anywhere in the body')

  const mails = await mailTo(ctx, email)
  t.equal(mails.length, 1)
  t.ok(verificationToken(mails[0]), 'a verification link')
})

t.test('signing up with an existing email looks the same and tells the owner instead', async (t) => {
  const ctx = await build(t, REQUIRED)
  const email = uniqueEmail()
  const password = strongPassword()
  const first = await signup(ctx, email, password, 'Owner')
  await mailTo(ctx, email)
  const again = await signup(ctx, `  ${email.toUpperCase()}`, strongPassword(), 'Intruder')
  t.equal(again.statusCode, first.statusCode)
  t.equal(again.body, first.body, 'byte-identical body')
  t.same(Object.keys(again.headers).sort(), Object.keys(first.headers).sort(), 'the same headers')

  const mails = await mailTo(ctx, email)
  t.equal(mails.length, 2, 'the owner got one more email')
  t.equal(mails[1]?.token, undefined, 'a notice, not a second verification link')
  t.not(mails[1]?.subject, mails[0]?.subject)

  const rows = await ctx.app.db.select().from(users).where(eq(users.email, email))
  t.equal(rows.length, 1, 'no second account')
  t.equal(rows[0]?.fullName, 'Owner', 'the existing account is untouched')

  // The owner's password is still the one that works once the address is verified.
  t.equal((await request(ctx, 'POST', '/api/auth/verify-email', { token: verificationToken(mails[0]) })).statusCode, 200)
  t.equal((await login(ctx, email, password)).statusCode, 200)
})

t.test('login waits for verification, and only the right password learns that', async (t) => {
  const ctx = await build(t, REQUIRED)
  const email = uniqueEmail()
  const password = strongPassword()
  await signup(ctx, email, password)

  const early = await login(ctx, email, password)
  t.equal(early.statusCode, 403, 'refused until verified', { body: early.body })
  t.match(json(early), { success: false, code: 'EMAIL_NOT_VERIFIED', error: String })
  t.notOk('access_token' in json(early), 'no session before verification')

  const wrong = await login(ctx, email, strongPassword())
  t.equal(wrong.statusCode, 401, 'a wrong password is an ordinary 401')
  t.equal(json(wrong).code, 'INVALID_CREDENTIALS')
  const unknown = await login(ctx, uniqueEmail(), strongPassword())
  t.equal(unknown.body, wrong.body, 'as for an unknown email')

  const token = verificationToken((await mailTo(ctx, email))[0])
  const verified = await request(ctx, 'POST', '/api/auth/verify-email', { token })
  t.equal(verified.statusCode, 200, 'the emailed token verifies', { body: verified.body })
  t.equal(json(verified).user.email_verified, true)

  const response = await login(ctx, email, password)
  t.equal(response.statusCode, 200, 'login works once verified', { body: response.body })
  t.equal(json(response).user.email_verified, true)
  t.type(json(response).access_token, 'string')
})
