import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EmailBody, ResetPasswordBody, TokenBody, TokenCheckResponse, UserMessageResponse } from '../../schemas/auth.js'
import { errorResponses, MessageResponse } from '../../schemas/common.js'
import { toUserDto } from '../../schemas/user.js'
import { authRateLimit } from './session-tokens.js'

// One answer whatever the email, so these routes cannot tell who has an account.
const VERIFICATION_SENT = 'If that address has an account awaiting verification, a verification email is on its way.'
const RESET_SENT = 'If that address has an account, a password reset email is on its way.'

/** Email verification and password reset. */
const recovery: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/verify-email', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Confirm an email address with the emailed token',
      body: TokenBody,
      response: { 200: UserMessageResponse, ...errorResponses(400, 413, 415, 429) },
    },
  }, async (request) => {
    const user = await app.recovery.verifyEmail(request.body.token)
    return { success: true as const, message: 'Email address verified', user: toUserDto(user) }
  })

  app.post('/resend-verification', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Send the verification email again',
      body: EmailBody,
      response: { 200: MessageResponse, ...errorResponses(400, 413, 415, 429) },
    },
  }, async (request) => {
    await app.recovery.resendVerification(request.body.email)
    return { success: true as const, message: VERIFICATION_SENT }
  })

  app.post('/forgot-password', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Email a password reset link',
      body: EmailBody,
      response: { 200: MessageResponse, ...errorResponses(400, 413, 415, 429) },
    },
  }, async (request) => {
    await app.recovery.forgotPassword(request.body.email)
    return { success: true as const, message: RESET_SENT }
  })

  app.post('/reset-password/check', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Tell whether a reset token can still be used, without using it',
      description: 'A 400 INVALID_TOKEN names the reason: `used`, `expired` or `unknown`.',
      body: TokenBody,
      response: { 200: TokenCheckResponse, ...errorResponses(400, 413, 415, 429) },
    },
  }, async (request) => {
    const { expiresAt } = await app.recovery.checkResetToken(request.body.token)
    return { success: true as const, message: 'The link can be used', expires_at: expiresAt.toISOString() }
  })

  app.post('/reset-password', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Set a new password with the emailed token; ends every session',
      body: ResetPasswordBody,
      response: { 200: MessageResponse, ...errorResponses(400, 413, 415, 429) },
    },
  }, async (request) => {
    await app.recovery.resetPassword(request.body.token, request.body.new_password)
    return { success: true as const, message: 'Password reset; log in with the new password' }
  })
}

export default recovery
