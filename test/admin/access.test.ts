import t from 'tap'
import { build, createUser, json, request, uniqueEmail, type TestContext } from '../helper.js'

/** An app whose ADMIN_EMAILS names one account, signed up and ready. */
async function buildWithAdmin(t: Parameters<typeof build>[0]) {
  const email = uniqueEmail('admin')
  const ctx = await build(t, { env: { ADMIN_EMAILS: email } })
  const admin = await createUser(ctx, { email })
  return { ctx, admin }
}

/** One call of each admin route with a valid body, so only the credential decides. */
function adminCalls(targetId: number): [string, string, unknown][] {
  return [
    ['GET', '/api/admin/users', undefined],
    ['PATCH', `/api/admin/users/${targetId}`, { tier: 'free' }],
    ['GET', '/api/admin/stats', undefined],
    ['GET', '/api/admin/tiers', undefined],
    ['PUT', '/api/admin/tiers/free', { rate_limit_per_hour: 10 }],
  ]
}

async function createKey(ctx: TestContext, accessToken: string): Promise<string> {
  const response = await request(ctx, 'POST', '/api/keys', { name: 'data' }, accessToken)
  const value = json(response).key_value as string
  ctx.secrets.add(value)
  return value
}

t.test('admin routes: no token 401, API key 401, user 403, admin 200', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user.accessToken)

  for (const [method, url, body] of adminCalls(user.id)) {
    const label = `${method} ${url}`
    const anonymous = await request(ctx, method as 'GET', url, body)
    t.equal(anonymous.statusCode, 401, `${label} without a token`)
    t.equal(json(anonymous).code, 'UNAUTHORIZED')

    const withKey = await request(ctx, method as 'GET', url, body, key)
    t.equal(withKey.statusCode, 401, `${label} with an API key as Bearer`)
    t.equal(json(withKey).success, false)

    const asUser = await request(ctx, method as 'GET', url, body, user.accessToken)
    t.equal(asUser.statusCode, 403, `${label} as a plain user`)
    t.equal(json(asUser).code, 'FORBIDDEN')

    const asAdmin = await request(ctx, method as 'GET', url, body, admin.accessToken)
    t.equal(asAdmin.statusCode, 200, `${label} as an admin`)
    t.equal(json(asAdmin).success, true)
  }

  const viaHeader = await ctx.app.inject({ method: 'GET', url: '/api/admin/stats', headers: { 'x-api-key': key } })
  t.equal(viaHeader.statusCode, 401, 'an API key in X-API-Key does not open admin routes either')
  const garbage = await request(ctx, 'GET', '/api/admin/users', undefined, 'not-a-token')
  t.equal(garbage.statusCode, 401)
})

t.test('a plain user is refused before their input is even looked at', async (t) => {
  const { ctx } = await buildWithAdmin(t)
  const user = await createUser(ctx)
  const attempts = [
    request(ctx, 'PATCH', `/api/admin/users/${user.id}`, { role: 'admin' }, user.accessToken),
    request(ctx, 'PATCH', '/api/admin/users/abc', {}, user.accessToken),
    request(ctx, 'PUT', '/api/admin/tiers/gold', { max_api_keys: -1 }, user.accessToken),
    request(ctx, 'GET', '/api/admin/users?limit=1000', undefined, user.accessToken),
  ]
  for (const response of await Promise.all(attempts)) t.equal(response.statusCode, 403)
  const me = json(await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken))
  t.equal(me.user.role, 'user', 'no self-promotion')
})

t.test('granting and removing the admin role opens and closes the admin routes', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const user = await createUser(ctx)
  t.equal((await request(ctx, 'GET', '/api/admin/stats', undefined, user.accessToken)).statusCode, 403)

  const promoted = await request(ctx, 'PATCH', `/api/admin/users/${user.id}`, { role: 'admin' }, admin.accessToken)
  t.equal(promoted.statusCode, 200)
  t.equal(json(promoted).user.role, 'admin')
  t.equal((await request(ctx, 'GET', '/api/admin/stats', undefined, user.accessToken)).statusCode, 200, 'the same token now opens them')

  const demoted = await request(ctx, 'PATCH', `/api/admin/users/${user.id}`, { role: 'user' }, admin.accessToken)
  t.equal(demoted.statusCode, 200)
  t.equal(json(demoted).user.role, 'user')
  t.equal((await request(ctx, 'GET', '/api/admin/stats', undefined, user.accessToken)).statusCode, 403, 'and closes them at once')
})

t.test('a deactivated admin is cut off', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const other = await createUser(ctx)
  await request(ctx, 'PATCH', `/api/admin/users/${other.id}`, { role: 'admin' }, admin.accessToken)
  const off = await request(ctx, 'PATCH', `/api/admin/users/${other.id}`, { is_active: false }, admin.accessToken)
  t.equal(off.statusCode, 200)
  const refused = await request(ctx, 'GET', '/api/admin/users', undefined, other.accessToken)
  t.equal(refused.statusCode, 401)
  t.equal(json(refused).code, 'ACCOUNT_DISABLED')
})

t.test('two admins demoting each other at once leave one admin', async (t) => {
  const { ctx, admin } = await buildWithAdmin(t)
  const second = await createUser(ctx)
  await request(ctx, 'PATCH', `/api/admin/users/${second.id}`, { role: 'admin' }, admin.accessToken)
  const [a, b] = await Promise.all([
    request(ctx, 'PATCH', `/api/admin/users/${second.id}`, { role: 'user' }, admin.accessToken),
    request(ctx, 'PATCH', `/api/admin/users/${admin.id}`, { role: 'user' }, second.accessToken),
  ])
  const statuses = [a!.statusCode, b!.statusCode].sort()
  t.same(statuses, [200, 403], 'one demotion wins; the demoted admin is refused')
  const stats = json(await request(ctx, 'GET', '/api/admin/stats', undefined, a!.statusCode === 200 ? admin.accessToken : second.accessToken))
  t.equal(stats.users.admins, 1)
})

t.test('the admin routes are in the OpenAPI document with their statuses', async (t) => {
  const { ctx } = await buildWithAdmin(t)
  const doc = json(await request(ctx, 'GET', '/docs/json'))
  const routes: [string, string, string[]][] = [
    ['/api/admin/users', 'get', ['200', '400', '401', '403']],
    ['/api/admin/users/{id}', 'patch', ['200', '400', '401', '403', '404']],
    ['/api/admin/stats', 'get', ['200', '401', '403']],
    ['/api/admin/tiers', 'get', ['200', '401', '403']],
    ['/api/admin/tiers/{name}', 'put', ['200', '400', '401', '403', '404']],
  ]
  for (const [path, method, statuses] of routes) {
    const operation = doc.paths?.[path]?.[method]
    t.ok(operation, `${method.toUpperCase()} ${path} is documented`)
    for (const status of statuses) t.ok(operation?.responses?.[status], `${method.toUpperCase()} ${path} documents ${status}`)
    t.same(operation?.security, [{ bearerAuth: [] }])
  }
  t.ok(doc.paths['/api/admin/users/{id}'].patch.requestBody, 'PATCH documents its body')
})
