import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { User } from '../db/schema/index.js'
import { apiError } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest guard for account routes: a valid access token of an active user. */
    authenticate(request: FastifyRequest): Promise<void>
    /** onRequest guard for admin routes; use after `authenticate`. */
    requireAdmin(request: FastifyRequest): Promise<void>
  }
  interface FastifyRequest {
    /** The authenticated user; set by `authenticate`. */
    account: User
  }
}

const BEARER = /^Bearer +(\S+)\s*$/i

export function bearerToken(request: FastifyRequest): string | undefined {
  return BEARER.exec(request.headers.authorization ?? '')?.[1]
}

/** Our access tokens are JWTs: a JSON header, so the first segment starts `eyJ`. */
export function looksLikeJwt(credential: string | undefined): boolean {
  return credential !== undefined && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential)
}

/** Someone sent an API key where a login is needed: say so, rather than "authentication required". */
function presentedApiKey(request: FastifyRequest, bearer: string | undefined): boolean {
  return bearer?.startsWith('fw_') === true || (bearer === undefined && request.headers['x-api-key'] !== undefined)
}

async function authenticatePlugin(app: FastifyInstance) {
  app.decorateRequest('account', null as unknown as User)

  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request)
    if (presentedApiKey(request, token)) throw apiError('API_KEY_NOT_ACCEPTED')
    if (!token) throw apiError('UNAUTHORIZED')
    let subject: number
    let session: string
    try {
      const claims = app.verifyAccessToken(token)
      if (claims.typ !== 'access' || typeof claims.sid !== 'string') throw new Error('not an access token')
      subject = Number(claims.sub)
      session = claims.sid
    } catch (error) {
      if ((error as { code?: string }).code === 'FAST_JWT_EXPIRED') throw apiError('TOKEN_EXPIRED')
      throw apiError('INVALID_TOKEN', { statusCode: 401, message: 'The access token is invalid' })
    }
    if (!Number.isSafeInteger(subject)) throw apiError('INVALID_TOKEN', { statusCode: 401, message: 'The access token is invalid' })
    // The user is read on every request so that a deactivated account is cut off at once; the
    // session's state comes from memory, kept true by the database's notifications.
    const known = app.sessions.isLive(session, subject)
    const [user, live] = typeof known === 'boolean' ? [await app.accounts.findById(subject), known] : await Promise.all([app.accounts.findById(subject), known])
    if (!user) throw apiError('INVALID_TOKEN', { statusCode: 401, message: 'The access token is invalid' })
    if (!user.isActive) throw apiError('ACCOUNT_DISABLED')
    if (!live) throw apiError('SESSION_ENDED')
    request.account = user
  })

  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    if (request.account?.role !== 'admin') throw apiError('FORBIDDEN')
  })
}

export default fp(authenticatePlugin, { name: 'authenticate', dependencies: ['jwt', 'accounts'] })
