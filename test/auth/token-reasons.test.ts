import t from 'tap'
import { build, createUser, json, request, type TestContext } from '../helper.js'
import type { CapturedEmail } from '../helpers/inbox.js'

const HOUR = 3_600_000

/** Asks for a reset link and answers the token of the email it produced (the newest one). */
async function resetToken(ctx: TestContext, email: string): Promise<string> {
  const isReset = (m: CapturedEmail) => m.to.includes(email) && (m.link?.includes('/reset-password?') ?? false)
  const before = ctx.inbox.messages.filter(isReset).length
  await request(ctx, 'POST', '/api/auth/forgot-password', { email })
  await ctx.inbox.waitFor((m) => isReset(m) && ctx.inbox.messages.filter(isReset).length > before)
  const token = ctx.inbox.messages.filter(isReset).at(-1)!.token!
  ctx.secrets.add(token)
  return token
}

const check = (ctx: TestContext, token: string) => request(ctx, 'POST', '/api/auth/reset-password/check', { token })

t.test('reset-password/check tells whether a link can be used, without using it', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const token = await resetToken(ctx, user.email)

  for (let i = 0; i < 2; i++) {
    const ok = await check(ctx, token)
    t.equal(ok.statusCode, 200, 'a fresh link can be used, however often it is checked')
    t.equal(json(ok).expires_at, new Date(ctx.clock.now().getTime() + HOUR).toISOString(), 'and says until when')
  }
  const password = 'Wombat-check-rain-7'
  ctx.secrets.add(password)
  t.equal((await request(ctx, 'POST', '/api/auth/reset-password', { token, new_password: password })).statusCode, 200, 'the checks did not spend it')

  const used = await check(ctx, token)
  t.equal(used.statusCode, 400)
  t.same([json(used).code, json(used).reason], ['INVALID_TOKEN', 'used'])
  t.equal(json(used).error, 'This link has already been used')

  const unknown = await check(ctx, 'x'.repeat(43))
  t.same([unknown.statusCode, json(unknown).reason], [400, 'unknown'])
})

t.test('an expired or superseded reset token names its reason, on check and on use', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const first = await resetToken(ctx, user.email)
  ctx.clock.advance(3 * 60_000)
  const second = await resetToken(ctx, user.email)
  t.equal(json(await check(ctx, first)).reason, 'unknown', 'a newer link replaces an older one')
  ctx.clock.advance(HOUR)
  const expired = await check(ctx, second)
  t.same([expired.statusCode, json(expired).reason], [400, 'expired'])
  const password = 'Wombat-expired-rain-7'
  ctx.secrets.add(password)
  const use = await request(ctx, 'POST', '/api/auth/reset-password', { token: second, new_password: password })
  t.same([use.statusCode, json(use).reason], [400, 'expired'], 'using it says the same')
})

t.test('a verification token used twice says it was used', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const mail = await ctx.inbox.waitFor((m) => m.to.includes(user.email) && (m.link?.includes('/verify-email?') ?? false))
  ctx.secrets.add(mail.token!)
  t.equal((await request(ctx, 'POST', '/api/auth/verify-email', { token: mail.token })).statusCode, 200)
  const again = await request(ctx, 'POST', '/api/auth/verify-email', { token: mail.token })
  t.same([again.statusCode, json(again).code, json(again).reason], [400, 'INVALID_TOKEN', 'used'])
  t.equal(json(again).error, 'This link has already been used')
})
