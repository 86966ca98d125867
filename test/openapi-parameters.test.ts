import t from 'tap'
import { build, createUser, json, uniqueEmail } from './helper.js'

interface Parameter {
  name: string
  in: 'query' | 'path' | 'header'
  required?: boolean
  schema?: { default?: unknown }
}
interface Operation {
  parameters?: Parameter[]
  security?: Record<string, unknown>[]
}

/** Every documented query parameter is checked against what the route really accepts. */
t.test('the OpenAPI document says which query parameters are required, truly', async (t) => {
  const email = uniqueEmail('admin')
  const ctx = await build(t, { env: { ADMIN_EMAILS: email } })
  const admin = await createUser(ctx, { email })
  const key = json(await ctx.app.inject({ method: 'POST', url: '/api/keys', headers: { authorization: `Bearer ${admin.accessToken}` }, payload: {} })).key_value as string
  ctx.secrets.add(key)
  const document = json(await ctx.app.inject({ method: 'GET', url: '/docs/json' }))
  const credentials = (operation: Operation): Record<string, string> => {
    const schemes = (operation.security ?? []).flatMap((s) => Object.keys(s))
    if (schemes.includes('apiKey')) return { 'x-api-key': key }
    if (schemes.includes('bearerAuth')) return { authorization: `Bearer ${admin.accessToken}` }
    return {}
  }

  let checked = 0
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
    const operation = item.get
    if (!operation || path.includes('{')) continue
    for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'query')) {
      const label = `GET ${path} ?${parameter.name}`
      if (parameter.schema?.default !== undefined) t.notOk(parameter.required, `${label} has a default, so it is not required`)
      if (!parameter.required) continue
      // Omitting a parameter documented as required must be refused, naming it.
      const response = await ctx.app.inject({ method: 'GET', url: path, headers: credentials(operation) })
      t.equal(response.statusCode, 400, `${label}: omitted, refused`)
      t.ok(json(response).details?.some((d: { field: string }) => d.field === parameter.name), `${label}: the refusal names it`)
      checked++
    }
  }
  t.ok(checked > 0, `${checked} required query parameters checked`)

  const keys = document.paths['/api/keys'].get as Operation
  t.same(keys.parameters?.find((p) => p.name === 'include_inactive')?.required, false, 'include_inactive on GET /api/keys is optional')
  const listed = await ctx.app.inject({ method: 'GET', url: '/api/keys', headers: credentials(keys) })
  t.equal(listed.statusCode, 200, 'and the route answers without it')
})
