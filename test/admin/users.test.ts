import { and, eq, isNull } from 'drizzle-orm'
import t from 'tap'
import { refreshTokens, users } from '../../src/db/schema/index.js'
import { build, createUser, json, login, request, uniqueEmail, type TestContext, type TestUser } from '../helper.js'

const USER_FIELDS = ['created_at', 'email', 'email_verified', 'full_name', 'id', 'is_active', 'last_login', 'role', 'tier']

async function buildWithAdmin(t: Parameters<typeof build>[0]) {
  const email = uniqueEmail('admin')
  const ctx = await build(t, { env: { ADMIN_EMAILS: email } })
  const admin = await createUser(ctx, { email, fullName: 'The Admin' })
  return { ctx, admin }
}

function listUsers(ctx: TestContext, admin: TestUser, query: Record<string, string | number | undefined>) {
  const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]]))).toString()
  return request(ctx, 'GET', `/api/admin/users${search ? `?${search}` : ''}`, undefined, admin.accessToken)
}

function patchUser(ctx: TestContext, admin: TestUser, id: number | string, body: unknown) {
  return request(ctx, 'PATCH', `/api/admin/users/${id}`, body, admin.accessToken)
}

t.test('GET /users: search, paging, order and validation', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const pagers: TestUser[] = []
  for (let i = 0; i < 5; i++) pagers.push(await createUser(ctx, { fullName: `Pager Person ${i}` }))
  const percent = await createUser(ctx, { fullName: '100% Legit' })
  const underscore = await createUser(ctx, { fullName: 'snake_case fan' })
  const shouty = await createUser(ctx, { email: uniqueEmail('ShoutyMail') })

  t.test('without q every user is listed, by id, with the user object', async (t) => {
    const body = json(await listUsers(ctx, admin, {}))
    t.equal(body.success, true)
    t.equal(body.total, 9)
    t.equal(body.limit, 20)
    t.equal(body.offset, 0)
    t.same(body.users.map((u: { id: number }) => u.id), [admin.id, ...pagers.map((u) => u.id), percent.id, underscore.id, shouty.id])
    t.same(Object.keys(body.users[0]).sort(), USER_FIELDS, 'never a hash or a token')
    t.equal(body.users[0].role, 'admin')
    t.notMatch(JSON.stringify(body), /password|argon/i)
  })

  t.test('q matches the full name and the email, in any case', async (t) => {
    const byName = json(await listUsers(ctx, admin, { q: 'pAGER person' }))
    t.equal(byName.total, 5)
    t.same(byName.users.map((u: { id: number }) => u.id), pagers.map((u) => u.id))
    const byEmail = json(await listUsers(ctx, admin, { q: 'SHOUTYMAIL' }))
    t.same(byEmail.users.map((u: { id: number }) => u.id), [shouty.id])
    const padded = json(await listUsers(ctx, admin, { q: `  ${pagers[2]!.email.toUpperCase()}  ` }))
    t.same(padded.users.map((u: { id: number }) => u.id), [pagers[2]!.id], 'q is trimmed')
    const none = json(await listUsers(ctx, admin, { q: 'nobody-by-that-name' }))
    t.equal(none.total, 0)
    t.same(none.users, [])
    t.equal(json(await listUsers(ctx, admin, { q: '' })).total, 9, 'an empty q lists everyone')
  })

  t.test('% and _ in q match themselves, not anything', async (t) => {
    const pct = json(await listUsers(ctx, admin, { q: '%' }))
    t.same(pct.users.map((u: { id: number }) => u.id), [percent.id])
    t.equal(pct.total, 1)
    t.same(json(await listUsers(ctx, admin, { q: '0% l' })).users.map((u: { id: number }) => u.id), [percent.id])
    const under = json(await listUsers(ctx, admin, { q: '_' }))
    t.same(under.users.map((u: { id: number }) => u.id), [underscore.id])
    t.equal(json(await listUsers(ctx, admin, { q: 'snake_' })).total, 1)
    t.equal(json(await listUsers(ctx, admin, { q: 'Pager_Person' })).total, 0, '_ is not a one-character wildcard')
    t.equal(json(await listUsers(ctx, admin, { q: '\\' })).total, 0, 'a backslash is literal too')
  })

  t.test('limit and offset page through the matches; total counts them all', async (t) => {
    const pages = []
    for (const offset of [0, 2, 4, 6]) pages.push(json(await listUsers(ctx, admin, { q: 'pager', limit: 2, offset })))
    t.same(pages.map((p) => p.users.length), [2, 2, 1, 0])
    for (const page of pages) t.equal(page.total, 5)
    t.same(pages.flatMap((p) => p.users.map((u: { id: number }) => u.id)), pagers.map((u) => u.id))
    t.equal(pages[1]!.offset, 2)
    t.equal(pages[1]!.limit, 2)
    t.equal(json(await listUsers(ctx, admin, { limit: 100 })).users.length, 9)
    t.equal(json(await listUsers(ctx, admin, { offset: 1_000_000 })).users.length, 0)
  })

  t.test('bad paging or an overlong q is 400', async (t) => {
    for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'ten' }, { offset: -1 }, { offset: 1_000_001 }, { offset: 1.5 }, { q: 'x'.repeat(201) }]) {
      const response = await listUsers(ctx, admin, query)
      t.equal(response.statusCode, 400, JSON.stringify(query))
      t.equal(json(response).code, 'VALIDATION_ERROR')
      t.ok(json(response).details.length > 0, 'details name the field')
    }
  })
})

t.test('PATCH /users/:id changes tier, role and access', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)

  t.test('a tier change answers the user and shows in /me', async (t) => {
    const user = await createUser(ctx)
    const response = await patchUser(ctx, admin, user.id, { tier: 'pro' })
    t.equal(response.statusCode, 200)
    const body = json(response)
    t.equal(body.success, true)
    t.same(Object.keys(body.user).sort(), USER_FIELDS)
    t.equal(body.user.id, user.id)
    t.equal(body.user.tier, 'pro')
    t.equal(body.user.role, 'user')
    t.equal(body.user.is_active, true)
    const me = json(await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken))
    t.equal(me.user.tier, 'pro')
    const both = json(await patchUser(ctx, admin, user.id, { tier: 'enterprise', role: 'admin', nickname: 'ignored' }))
    t.equal(both.user.tier, 'enterprise')
    t.equal(both.user.role, 'admin')
    t.notOk('nickname' in both.user, 'unknown fields are ignored')
  })

  t.test('deactivation ends the sessions at once; reactivation allows a new login', async (t) => {
    const user = await createUser(ctx)
    const second = json(await login(ctx, user.email, user.password))
    const response = await patchUser(ctx, admin, user.id, { is_active: false })
    t.equal(response.statusCode, 200)
    t.equal(json(response).user.is_active, false)

    const me = await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken)
    t.equal(me.statusCode, 401, 'the access token is refused')
    t.equal(json(me).code, 'ACCOUNT_DISABLED')
    for (const token of [user.refreshToken, second.refresh_token]) {
      const refreshed = await request(ctx, 'POST', '/api/auth/refresh', { refresh_token: token })
      t.equal(refreshed.statusCode, 401, 'every refresh token is refused')
    }
    const live = await ctx.app.db.select().from(refreshTokens).where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)))
    t.equal(live.length, 0, 'every refresh token is revoked')
    t.equal((await login(ctx, user.email, user.password)).statusCode, 401, 'login is refused')

    const back = await patchUser(ctx, admin, user.id, { is_active: true })
    t.equal(json(back).user.is_active, true)
    const again = await login(ctx, user.email, user.password)
    t.equal(again.statusCode, 200)
    t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, json(again).access_token)).statusCode, 200)
  })

  t.test('an admin cannot demote or deactivate themselves', async (t) => {
    for (const body of [{ role: 'user' }, { is_active: false }, { tier: 'pro', role: 'user' }]) {
      const response = await patchUser(ctx, admin, admin.id, body)
      t.equal(response.statusCode, 400, JSON.stringify(body))
      t.equal(json(response).code, 'ADMIN_SELF_LOCKOUT')
    }
    const [row] = await ctx.app.db.select().from(users).where(eq(users.id, admin.id))
    t.equal(row?.role, 'admin')
    t.equal(row?.isActive, true)
    t.equal(row?.tier, 'free', 'a refused request changes nothing')
    const own = await patchUser(ctx, admin, admin.id, { tier: 'enterprise', role: 'admin', is_active: true })
    t.equal(own.statusCode, 200, 'other changes to oneself are allowed')
    t.equal(json(own).user.tier, 'enterprise')
  })

  t.test('an unknown id is 404; bad input is 400', async (t) => {
    const missing = await patchUser(ctx, admin, 99_999_999, { tier: 'pro' })
    t.equal(missing.statusCode, 404)
    t.equal(json(missing).code, 'NOT_FOUND')
    t.equal(json(missing).error, 'User not found')

    const user = await createUser(ctx)
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ nickname: 'x' }, 'body'],
      [{ tier: 'gold' }, 'tier'],
      [{ role: 'root' }, 'role'],
      [{ is_active: 'maybe' }, 'is_active'],
      [{ is_active: null }, 'is_active'],
      [{ is_active: 'false' }, 'is_active'],
      [{ is_active: 0 }, 'is_active'],
      [{ tier: null }, 'tier'],
    ]
    for (const [body, field] of cases) {
      const response = await patchUser(ctx, admin, user.id, body)
      t.equal(response.statusCode, 400, JSON.stringify(body))
      t.equal(json(response).code, 'VALIDATION_ERROR')
      t.ok(json(response).details.some((d: { field: string }) => d.field.startsWith(field)), `details name ${field}`)
    }
    t.same(json(await patchUser(ctx, admin, user.id, { tier: 'gold' })).details, [{ field: 'tier', message: 'must be one of free, pro, enterprise' }])
    for (const id of ['abc', '0', '99999999999']) t.equal((await patchUser(ctx, admin, id, { tier: 'pro' })).statusCode, 400, `id ${id}`)
    const bare = await ctx.app.inject({ method: 'PATCH', url: `/api/admin/users/${user.id}`, headers: { authorization: `Bearer ${admin.accessToken}` } })
    t.equal(bare.statusCode, 400, 'no body at all')
    const [row] = await ctx.app.db.select().from(users).where(eq(users.id, user.id))
    t.equal(row?.isActive, true, 'a null is_active did not deactivate')
    t.equal(row?.tier, 'free')
  })
})
