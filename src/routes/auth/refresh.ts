import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiError } from '../../errors.js'
import { bearerToken } from '../../plugins/authenticate.js'
import { LogoutBody, RefreshBody, TokensResponse } from '../../schemas/auth.js'
import { errorResponses, MessageResponse } from '../../schemas/common.js'
import { authRateLimit, tokenPair } from './session-tokens.js'

const refresh: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/refresh', {
    config: authRateLimit(app),
    // The token may come as the Bearer credential alone, with no body at all.
    preValidation: async (request) => {
      request.body ??= {}
    },
    schema: {
      tags: ['auth'],
      summary: 'Exchange a refresh token for a new access token and refresh token',
      description: 'The refresh token goes in the body or as the Bearer token. Each refresh token works once.',
      body: RefreshBody,
      response: { 200: TokensResponse, ...errorResponses(400, 401, 413, 415, 429) },
    },
  }, async (request) => {
    const invalid = () => apiError('INVALID_TOKEN', { statusCode: 401, message: 'The refresh token is invalid or has expired' })
    const presented = request.body?.refresh_token ?? bearerToken(request)
    if (!presented) throw invalid()
    const rotation = await app.sessions.rotate(presented)
    if (!rotation.ok) throw invalid()
    const user = await app.accounts.findById(rotation.userId)
    if (!user?.isActive) {
      await app.sessions.revokeAllForUser(rotation.userId)
      throw apiError('ACCOUNT_DISABLED')
    }
    return { success: true as const, message: 'Tokens refreshed', ...tokenPair(app, user.id, rotation.refreshToken) }
  })

  app.post('/logout', {
    schema: {
      tags: ['auth'],
      summary: 'End the session a refresh token belongs to',
      body: LogoutBody,
      response: { 200: MessageResponse, ...errorResponses(400, 413, 415) },
    },
  }, async (request) => {
    await app.sessions.revoke(request.body.refresh_token)
    return { success: true as const, message: 'Logged out' }
  })
}

export default refresh
