import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ACCESS_TOKEN_TTL_SECONDS } from '../../plugins/jwt.js'
import { REFRESH_TOKEN_TTL_MS } from '../../services/sessions.js'

/** A session's credentials: whose, which session (the access token's `sid`), its refresh token. */
export interface SessionGrant {
  userId: number
  sessionId: string
  refreshToken: string
}

/** The cookie that carries the refresh token for clients that ask for one (the web pages). */
export const REFRESH_COOKIE = 'fw_refresh'
/**
 * Sent by a client that wants its refresh token as an HttpOnly cookie rather than in the body.
 * A custom header cannot be sent cross-site without a CORS preflight, which CORS_ORIGINS
 * refuses, so the cookie is only ever read for requests made by the pages themselves.
 */
export const REFRESH_COOKIE_HEADER = 'x-refresh-cookie'

export function wantsRefreshCookie(request: FastifyRequest): boolean {
  return request.headers[REFRESH_COOKIE_HEADER] === '1'
}

function refreshCookieOptions(app: FastifyInstance): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    // Only the routes that take a refresh token ever receive it.
    path: '/api/auth',
    secure: app.config.appUrl.startsWith('https:'),
    maxAge: REFRESH_TOKEN_TTL_MS / 1000,
  }
}

/** The refresh token the client presented as its cookie, when it uses the cookie. */
export function refreshCookie(request: FastifyRequest): string | undefined {
  return wantsRefreshCookie(request) ? request.cookies[REFRESH_COOKIE] : undefined
}

export function clearRefreshCookie(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  if (wantsRefreshCookie(request)) reply.clearCookie(REFRESH_COOKIE, { ...refreshCookieOptions(app), maxAge: 0 })
}

/**
 * The tokens of a session as the client asked for them: the refresh token in the body, or set
 * as the cookie and left out of the body.
 */
export function sessionTokens(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, session: SessionGrant) {
  const { userId, sessionId, refreshToken } = session
  const access = {
    access_token: app.signAccessToken(userId, sessionId),
    token_type: 'Bearer' as const,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
  }
  if (!wantsRefreshCookie(request)) return { ...access, refresh_token: refreshToken }
  reply.setCookie(REFRESH_COOKIE, refreshToken, refreshCookieOptions(app))
  return access
}

/** A fresh login session: an access token and the first refresh token of a new family. */
export async function startSession(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, userId: number) {
  return sessionTokens(app, request, reply, { userId, ...(await app.sessions.issue(userId)) })
}

/** Per client IP, per route: slows password guessing and mail bombing before any hashing. */
export function authRateLimit(app: FastifyInstance) {
  return { rateLimit: { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 } }
}
