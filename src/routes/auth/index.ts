import cookie from '@fastify/cookie'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import login from './login.js'
import me from './me.js'
import recovery from './recovery.js'
import refresh from './refresh.js'
import signup from './signup.js'

/** `/api/auth`: accounts and sessions. */
const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Cookies are parsed here only: the refresh cookie's path is /api/auth, and no other route reads one.
  await app.register(cookie)
  // Emails are compared trimmed; trim before the format check so " a@b.co " is accepted.
  app.addHook('preValidation', async (request) => {
    const body = request.body as { email?: unknown } | undefined
    if (body && typeof body.email === 'string') body.email = body.email.trim()
  })
  await app.register(signup)
  await app.register(login)
  await app.register(refresh)
  await app.register(me)
  await app.register(recovery)
}

export default authRoutes
