import t, { type Test } from 'tap'
import { build, createUser, json, login, request, strongPassword, type TestContext, type TestUser } from '../helper.js'

interface Pair {
  access_token: string
  refresh_token: string
}

function changePassword(ctx: TestContext, accessToken: string | undefined, current: string, next: string) {
  ctx.secrets.add(current)
  ctx.secrets.add(next)
  return request(ctx, 'POST', '/api/auth/change-password', { current_password: current, new_password: next }, accessToken)
}

function refresh(ctx: TestContext, token: string) {
  return request(ctx, 'POST', '/api/auth/refresh', { refresh_token: token })
}

async function assertLoginWorks(t: Test, ctx: TestContext, user: TestUser, password: string, what: string) {
  t.equal((await login(ctx, user.email, password)).statusCode, 200, what)
}

async function assertLoginFails(t: Test, ctx: TestContext, user: TestUser, password: string, what: string) {
  const response = await login(ctx, user.email, password)
  t.equal(response.statusCode, 401, what)
  t.equal(json(response).code, 'INVALID_CREDENTIALS', `${what}: INVALID_CREDENTIALS`)
}

function assertNewPasswordRejected(t: Test, response: Awaited<ReturnType<typeof changePassword>>, code = 'VALIDATION_ERROR') {
  t.equal(response.statusCode, 400)
  const body = json(response)
  t.equal(body.code, code)
  t.ok(
    (body.details as { field: string }[] | undefined)?.some((d) => d.field === 'new_password'),
    'details name new_password',
  )
}

t.test('a password change answers a new session and ends every earlier one', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const otherSession = json(await login(ctx, user.email, user.password)) as Pair
  const next = strongPassword()

  const response = await changePassword(ctx, user.accessToken, user.password, next)
  t.equal(response.statusCode, 200)
  const body = json(response)
  t.equal(body.success, true)
  t.type(body.access_token, 'string')
  t.type(body.refresh_token, 'string')
  t.not(body.refresh_token, user.refreshToken)

  const who = await request(ctx, 'GET', '/api/auth/me', undefined, body.access_token)
  t.equal(json(who).user.id, user.id, 'the new access token works')
  for (const [what, token] of [['signup session', user.refreshToken], ['other login session', otherSession.refresh_token]] as const) {
    const old = await refresh(ctx, token)
    t.equal(old.statusCode, 401, `${what}: refresh token revoked`)
    t.equal(json(old).code, 'INVALID_TOKEN')
  }
  t.equal((await refresh(ctx, body.refresh_token)).statusCode, 200, 'the new refresh token works')

  await assertLoginFails(t, ctx, user, user.password, 'the old password no longer logs in')
  await assertLoginWorks(t, ctx, user, next, 'the new password logs in')
})

t.test('a wrong current password is refused and changes nothing', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const next = strongPassword()
  const response = await changePassword(ctx, user.accessToken, `${user.password}x`, next)
  t.equal(response.statusCode, 401)
  t.equal(json(response).success, false)
  t.notOk(json(response).access_token)
  await assertLoginFails(t, ctx, user, next, 'the proposed password was not set')
  await assertLoginWorks(t, ctx, user, user.password, 'the old password still works')
  t.equal((await refresh(ctx, user.refreshToken)).statusCode, 200, 'sessions are untouched')
})

t.test('a new password of 7 characters is a validation error', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  assertNewPasswordRejected(t, await changePassword(ctx, user.accessToken, user.password, 'Wb7-x!q'))
  await assertLoginWorks(t, ctx, user, user.password, 'the password is unchanged')
})

t.test('a too common new password is WEAK_PASSWORD naming new_password', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  assertNewPasswordRejected(t, await changePassword(ctx, user.accessToken, user.password, 'password123'), 'WEAK_PASSWORD')
  await assertLoginWorks(t, ctx, user, user.password, 'the password is unchanged')
  t.equal((await refresh(ctx, user.refreshToken)).statusCode, 200, 'sessions are untouched')
})

t.test('change-password needs an access token', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const next = strongPassword()
  const anonymous = await changePassword(ctx, undefined, user.password, next)
  t.equal(anonymous.statusCode, 401, 'no token')
  const withRefresh = await changePassword(ctx, user.refreshToken, user.password, next)
  t.equal(withRefresh.statusCode, 401, 'a refresh token is not an access token')
  await assertLoginWorks(t, ctx, user, user.password, 'the password is unchanged')
})

t.test('guesses at the current password count towards the login lockout', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  for (let i = 0; i < 5; i++) {
    t.equal((await changePassword(ctx, user.accessToken, `${user.password}-wrong`, strongPassword())).statusCode, 401)
  }
  const locked = await changePassword(ctx, user.accessToken, user.password, strongPassword())
  t.equal(locked.statusCode, 429)
  t.equal(json(locked).code, 'ACCOUNT_LOCKED')
  t.equal((await login(ctx, user.email, user.password)).statusCode, 429, 'login is locked too')
})
