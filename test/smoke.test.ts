import t from 'tap'
import { build, createUser, json, request } from './helper.js'

t.test('signup then me', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const me = await request(ctx, 'GET', '/api/auth/me', undefined, user.accessToken)
  t.equal(me.statusCode, 200)
  t.equal(json(me).user.email, user.email)
  const mail = await ctx.inbox.waitFor((m) => m.to.includes(user.email))
  t.match(mail.link, /^https:\/\/app\.fetcha\.test\/verify-email\?token=/)
})
