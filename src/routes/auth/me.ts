import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ChangePasswordBody, TokensResponse, UserResponse } from '../../schemas/auth.js'
import { errorResponses, MessageResponse } from '../../schemas/common.js'
import { toUserDto } from '../../schemas/user.js'
import { authRateLimit, clearRefreshCookie, startSession } from './session-tokens.js'

/** Routes about the logged-in account itself. */
const me: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'],
      summary: 'The logged-in user',
      security: [{ bearerAuth: [] }],
      response: { 200: UserResponse, ...errorResponses(401) },
    },
  }, async (request) => ({ success: true as const, user: toUserDto(request.account) }))

  app.post('/change-password', {
    onRequest: app.authenticate,
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Change the password; ends every other session',
      description: 'Every refresh token of the account is revoked; the answer carries a new session.',
      security: [{ bearerAuth: [] }],
      body: ChangePasswordBody,
      response: { 200: TokensResponse, ...errorResponses(400, 401, 413, 415, 429) },
    },
  }, async (request, reply) => {
    await app.accounts.changePassword(request.account, request.body.current_password, request.body.new_password)
    return { success: true as const, message: 'Password changed', ...(await startSession(app, request, reply, request.account.id)) }
  })

  app.post('/logout-all', {
    onRequest: app.authenticate,
    schema: {
      tags: ['auth'],
      summary: 'End every session of the account, on every device',
      description: 'Every refresh token of the account is revoked.',
      security: [{ bearerAuth: [] }],
      response: { 200: MessageResponse, ...errorResponses(401) },
    },
  }, async (request, reply) => {
    await app.sessions.revokeAllForUser(request.account.id)
    clearRefreshCookie(app, request, reply)
    return { success: true as const, message: 'Logged out everywhere' }
  })
}

export default me
