import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, SessionResponse } from '../../schemas/auth.js'
import { errorResponses } from '../../schemas/common.js'
import { toUserDto } from '../../schemas/user.js'
import { authRateLimit, startSession } from './session-tokens.js'

const login: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/login', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Log in with email and password',
      body: LoginBody,
      response: { 200: SessionResponse, ...errorResponses(400, 401, 403, 413, 415, 429) },
    },
  }, async (request, reply) => {
    const user = await app.accounts.login(request.body)
    return { success: true as const, message: 'Logged in', user: toUserDto(user), ...(await startSession(app, request, reply, user.id)) }
  })
}

export default login
