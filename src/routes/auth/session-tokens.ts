import type { FastifyInstance } from 'fastify'
import { ACCESS_TOKEN_TTL_SECONDS } from '../../plugins/jwt.js'

/** A fresh login session: an access token and the first refresh token of a new family. */
export async function startSession(app: FastifyInstance, userId: number) {
  return tokenPair(app, userId, await app.sessions.issue(userId))
}

export function tokenPair(app: FastifyInstance, userId: number, refreshToken: string) {
  return {
    access_token: app.signAccessToken(userId),
    refresh_token: refreshToken,
    token_type: 'Bearer' as const,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
  }
}

/** Per client IP, per route: slows password guessing and mail bombing before any hashing. */
export function authRateLimit(app: FastifyInstance) {
  return { rateLimit: { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 } }
}
