import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiError } from '../../errors.js'
import { bearerToken } from '../../plugins/authenticate.js'
import { LogoutBody, RefreshBody, TokensResponse } from '../../schemas/auth.js'
import { errorResponses, MessageResponse } from '../../schemas/common.js'
import { authRateLimit, clearRefreshCookie, refreshCookie, sessionTokens, wantsRefreshCookie } from './session-tokens.js'

const cookieNote = 'A client that sends `X-Refresh-Cookie: 1` presents and receives the refresh token as an HttpOnly cookie instead.'

const refresh: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/refresh', {
    config: authRateLimit(app),
    // The token may come as the Bearer credential or the cookie alone, with no body at all.
    preValidation: async (request) => {
      request.body ??= {}
    },
    schema: {
      tags: ['auth'],
      summary: 'Exchange a refresh token for a new access token and refresh token',
      description: `The refresh token goes in the body or as the Bearer token. Each refresh token works once. ${cookieNote}`,
      body: RefreshBody,
      response: { 200: TokensResponse, ...errorResponses(400, 401, 413, 415, 429) },
    },
  }, async (request, reply) => {
    const invalid = () => {
      clearRefreshCookie(app, request, reply)
      return apiError('INVALID_TOKEN', { statusCode: 401, message: 'The refresh token is invalid or has expired' })
    }
    const presented = request.body?.refresh_token ?? bearerToken(request) ?? refreshCookie(request)
    if (!presented) throw invalid()
    const rotation = await app.sessions.rotate(presented)
    if (!rotation.ok) throw invalid()
    const user = await app.accounts.findById(rotation.userId)
    if (!user?.isActive) {
      await app.sessions.revokeAllForUser(rotation.userId)
      clearRefreshCookie(app, request, reply)
      throw apiError('ACCOUNT_DISABLED')
    }
    return { success: true as const, message: 'Tokens refreshed', ...sessionTokens(app, request, reply, rotation) }
  })

  app.post('/logout', {
    preValidation: async (request) => {
      request.body ??= {}
    },
    schema: {
      tags: ['auth'],
      summary: 'End the session a refresh token belongs to',
      description: cookieNote,
      body: LogoutBody,
      response: { 200: MessageResponse, ...errorResponses(400, 413, 415) },
    },
  }, async (request, reply) => {
    const presented = request.body.refresh_token ?? refreshCookie(request)
    if (presented) await app.sessions.revoke(presented)
    else if (!wantsRefreshCookie(request)) {
      throw apiError('VALIDATION_ERROR', { extra: { details: [{ field: 'refresh_token', message: "must have required property 'refresh_token'" }] } })
    }
    clearRefreshCookie(app, request, reply)
    return { success: true as const, message: 'Logged out' }
  })
}

export default refresh
