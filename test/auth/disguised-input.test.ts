import t from 'tap'
import { build, createUser, json, request, strongPassword, uniqueEmail } from '../helper.js'

/** Every character that embeds, overrides or isolates text direction. */
const DIRECTION_CONTROLS = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((c) => String.fromCodePoint(c))

t.test('change-password refuses the current password as the new one', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const same = await request(ctx, 'POST', '/api/auth/change-password', { current_password: user.password, new_password: user.password }, user.accessToken)
  t.equal(same.statusCode, 400)
  t.match(json(same), { code: 'PASSWORD_UNCHANGED', details: [{ field: 'new_password' }] })
  t.equal((await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken)).statusCode, 200, 'the session goes on: nothing changed')

  const next = strongPassword()
  ctx.secrets.add(next)
  const changed = await request(ctx, 'POST', '/api/auth/change-password', { current_password: user.password, new_password: next }, user.accessToken)
  t.equal(changed.statusCode, 200, 'a different password is taken')
})

t.test('signup refuses a full name with any text-direction control', async (t) => {
  const ctx = await build(t)
  for (const control of DIRECTION_CONTROLS) {
    const password = strongPassword()
    ctx.secrets.add(password)
    const response = await request(ctx, 'POST', '/api/auth/signup', { email: uniqueEmail(), password, full_name: `Ann${control}nimda` })
    const label = `U+${control.codePointAt(0)!.toString(16).toUpperCase()}`
    t.equal(response.statusCode, 400, label)
    t.match(json(response), { code: 'INVALID_NAME', details: [{ field: 'full_name' }] }, label)
  }
  const user = await createUser(ctx, { fullName: 'محمد بن سلمان · Zoë 🌦' })
  t.ok(user.id, 'right-to-left scripts, accents and emoji are names like any other')
})

t.test('key names refuse text-direction controls on create and rename', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  for (const control of DIRECTION_CONTROLS) {
    const created = await request(ctx, 'POST', '/api/keys', { name: `prod${control}gpj.exe` }, user.accessToken)
    t.equal(created.statusCode, 400)
    t.equal(json(created).code, 'INVALID_NAME')
  }
  const key = json(await request(ctx, 'POST', '/api/keys', { name: 'Production ✓' }, user.accessToken)).api_key
  t.equal(key.name, 'Production ✓')
  const renamed = await request(ctx, 'PUT', `/api/keys/${key.id}`, { name: `a${DIRECTION_CONTROLS[4]}b` }, user.accessToken)
  t.equal(renamed.statusCode, 400)
  t.equal(json(renamed).code, 'INVALID_NAME')
  const list = json(await request(ctx, 'GET', '/api/keys', undefined, user.accessToken))
  t.same(list.api_keys.map((k: { name: string }) => k.name), ['Production ✓'], 'nothing disguised was stored')
})
