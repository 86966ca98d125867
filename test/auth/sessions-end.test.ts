import t, { type Test } from 'tap'
import { build, createUser, json, login, request, strongPassword, type TestContext, type TestUser } from '../helper.js'
import { changesHeard } from '../helpers/changes.js'

/** What a stolen access token would try: read the account, and mint itself an API key. */
async function assertEnded(t: Test, ctx: TestContext, accessToken: string, code = 'SESSION_ENDED') {
  const me = await request(ctx, 'GET', '/api/auth/me', undefined, accessToken)
  t.same([me.statusCode, json(me).code], [401, code], `the old access token is refused (${code})`)
  const key = await request(ctx, 'POST', '/api/keys', { name: 'stolen' }, accessToken)
  t.equal(key.statusCode, 401, 'and cannot create an API key')
}

async function resetPassword(ctx: TestContext, user: TestUser): Promise<void> {
  await request(ctx, 'POST', '/api/auth/forgot-password', { email: user.email })
  const mail = await ctx.inbox.waitFor((m) => m.to.includes(user.email) && (m.link?.includes('/reset-password?') ?? false))
  ctx.secrets.add(mail.token!)
  const password = strongPassword()
  ctx.secrets.add(password)
  const reset = await request(ctx, 'POST', '/api/auth/reset-password', { token: mail.token, new_password: password })
  if (reset.statusCode !== 200) throw new Error(`reset failed: ${reset.body}`)
}

t.test('the remedies end the access tokens issued before them, at once', async (t) => {
  const ctx = await build(t)
  const bystander = await createUser(ctx)

  t.test('a password change: only the answer’s new session works', async (t) => {
    const user = await createUser(ctx)
    const next = strongPassword()
    ctx.secrets.add(next)
    const changed = await request(ctx, 'POST', '/api/auth/change-password', { current_password: user.password, new_password: next }, user.accessToken)
    t.equal(changed.statusCode, 200)
    await assertEnded(t, ctx, user.accessToken)
    t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, json(changed).access_token)).statusCode, 200, 'the new session works')
  })

  t.test('a password reset', async (t) => {
    const user = await createUser(ctx)
    const other = json(await login(ctx, user.email, user.password)).access_token
    await resetPassword(ctx, user)
    await assertEnded(t, ctx, user.accessToken)
    await assertEnded(t, ctx, other)
  })

  t.test('log out everywhere', async (t) => {
    const user = await createUser(ctx)
    const other = json(await login(ctx, user.email, user.password)).access_token
    t.equal((await request(ctx, 'POST', '/api/auth/logout-all', undefined, other)).statusCode, 200)
    await assertEnded(t, ctx, user.accessToken)
    await assertEnded(t, ctx, other)
  })

  t.test('logging out one session ends its access tokens, not the other session’s', async (t) => {
    const user = await createUser(ctx)
    const other = json(await login(ctx, user.email, user.password)).access_token
    t.equal((await request(ctx, 'POST', '/api/auth/logout', { refresh_token: user.refreshToken })).statusCode, 200)
    await assertEnded(t, ctx, user.accessToken)
    t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, other)).statusCode, 200, 'the other session goes on')
  })

  t.test('a replayed refresh token ends its session’s access tokens too', async (t) => {
    const user = await createUser(ctx)
    const rotated = json(await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: user.refreshToken }))
    ctx.clock.advance(11_000)
    t.equal((await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: user.refreshToken })).statusCode, 401, 'the replay is refused')
    await assertEnded(t, ctx, rotated.access_token)
  })

  t.test('a deactivation by an admin', async (t) => {
    const user = await createUser(ctx)
    const admin = await createUser(ctx)
    await ctx.app.admin.grantAdmin(admin.email)
    await ctx.app.admin.updateUser(admin.id, user.id, { isActive: false })
    await assertEnded(t, ctx, user.accessToken, 'ACCOUNT_DISABLED')
  })

  t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, bystander.accessToken)).statusCode, 200, 'another account is untouched throughout')
})

t.test('a session ended on one instance ends on the others at once', async (t) => {
  const first = await build(t)
  const second = await build(t, { shareDatabaseWith: first })
  const user = await createUser(first)
  t.equal((await request(second, 'GET', '/api/auth/me', undefined, user.accessToken)).statusCode, 200, 'the second instance knows the session (and keeps it in memory)')
  t.equal((await request(first, 'POST', '/api/auth/logout-all', undefined, user.accessToken)).statusCode, 200)
  await changesHeard(second)
  await assertEnded(t, second, user.accessToken)
})

t.test('an access token outlives nothing: after its refresh token expires the session is over', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  ctx.clock.advance(30 * 24 * 3_600_000 + 1_000)
  const fresh = ctx.app.signAccessToken(user.id, JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()).sid)
  await assertEnded(t, ctx, fresh)
})
