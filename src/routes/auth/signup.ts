import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SignupBody, SignupResponse } from '../../schemas/auth.js'
import { errorResponses } from '../../schemas/common.js'
import { toUserDto } from '../../schemas/user.js'
import { authRateLimit, startSession } from './session-tokens.js'

const VERIFY_FIRST = 'Account created. Check your email for a link to verify your address, then log in.'

const signup: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/signup', {
    config: authRateLimit(app),
    schema: {
      tags: ['auth'],
      summary: 'Create an account',
      body: SignupBody,
      response: { 201: SignupResponse, ...errorResponses(400, 409, 413, 415, 429) },
    },
  }, async (request, reply) => {
    const { email, password, full_name } = request.body
    const result = await app.accounts.signup({ email, password, fullName: full_name })
    reply.code(201)
    if (result.needsVerification) {
      return { success: true as const, message: VERIFY_FIRST, email_sent: true, auto_login: false }
    }
    return {
      success: true as const,
      message: 'Account created; a verification email is on its way',
      email_sent: true,
      auto_login: true,
      user: toUserDto(result.user),
      ...(await startSession(app, request, reply, result.user.id)),
    }
  })
}

export default signup
