import t from 'tap'
import { build, createUser, json } from '../helper.js'

t.test('a login token on a data route is told that the route takes an API key', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const response = await ctx.app.inject({ method: 'GET', url: '/api/weather/stations?state=VIC', headers: { authorization: `Bearer ${user.accessToken}` } })
  t.equal(response.statusCode, 401)
  t.equal(json(response).code, 'LOGIN_TOKEN_NOT_ACCEPTED')
  t.match(json(response).error, /takes an API key, not a login access token/)
  t.match(json(response).error, /X-API-Key/)

  const bare = await ctx.app.inject({ method: 'GET', url: '/api/weather/stations?state=VIC' })
  t.equal(json(bare).code, 'API_KEY_MISSING', 'no credential at all is still "a key is required"')
})

t.test('an API key on an account route is told that the route takes a login', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const created = await ctx.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${user.accessToken}` }, payload: {} })
  const key = json(created).key_value as string
  ctx.secrets.add(key)
  for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }]) {
    for (const url of ['/api/keys', '/api/usage/monthly', '/api/auth/me']) {
      const response = await ctx.app.inject({ method: 'GET', url, headers })
      const label = `${url} with ${Object.keys(headers)[0]}`
      t.equal(response.statusCode, 401, label)
      t.equal(json(response).code, 'API_KEY_NOT_ACCEPTED', label)
      t.match(json(response).error, /takes a login access token, not an API key/, label)
    }
  }
  const bare = await ctx.app.inject({ method: 'GET', url: '/api/keys' })
  t.equal(json(bare).code, 'UNAUTHORIZED', 'no credential at all is still "authentication is required"')
})
