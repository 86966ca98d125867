import t from 'tap'
import { json } from '../helper.js'
import { apiKeyOf, setup } from './helpers.js'

const ROUTES = ['/api/usage/monthly', '/api/usage/recent', '/api/usage/stats', '/api/usage/breakdown', '/api/usage/daily', '/api/usage/export']

t.test('every usage route takes an access token and nothing else', async (t) => {
  const { ctx, user } = await setup(t)
  const key = await apiKeyOf(ctx, user)
  for (const url of ROUTES) {
    const ok = await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${user.accessToken}` } })
    t.equal(ok.statusCode, 200, `${url} with a token`)

    const none = await ctx.app.inject({ method: 'GET', url })
    t.equal(none.statusCode, 401, `${url} without a token`)
    t.same(json(none), { success: false, error: 'Authentication is required', code: 'UNAUTHORIZED' })

    const bearerKey = await ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } })
    t.equal(bearerKey.statusCode, 401, `${url} with an API key as Bearer`)
    t.equal(json(bearerKey).success, false)

    const headerKey = await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } })
    t.equal(headerKey.statusCode, 401, `${url} with an API key in X-API-Key`)

    const garbage = await ctx.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer not.a.jwt' } })
    t.equal(garbage.statusCode, 401, `${url} with a malformed token`)
  }
})

t.test('an expired access token is refused', async (t) => {
  const { ctx, user } = await setup(t)
  ctx.clock.advance(16 * 60_000)
  const response = await ctx.app.inject({ method: 'GET', url: '/api/usage/monthly', headers: { authorization: `Bearer ${user.accessToken}` } })
  t.equal(response.statusCode, 401)
  t.equal(json(response).code, 'TOKEN_EXPIRED')
})

t.test('the routes are documented with their schemas', async (t) => {
  const { ctx } = await setup(t)
  const spec = json(await ctx.app.inject({ method: 'GET', url: '/docs/json' }))
  for (const url of ROUTES) {
    const operation = spec.paths[url]?.get
    t.ok(operation, `${url} is in the OpenAPI document`)
    t.ok(operation?.responses?.['200'] && operation?.responses?.['400'] && operation?.responses?.['401'], `${url} declares 200, 400 and 401`)
  }
  t.ok(spec.paths['/api/usage/export'].get.responses['200'].content['text/csv'], 'the export is documented as text/csv')
})
