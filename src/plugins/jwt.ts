import fastifyJwt from '@fastify/jwt'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const JWT_ISSUER = 'fetcha-weather'
export const JWT_AUDIENCE = 'fetcha-weather-api'
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60

/** The claims of an access token; `typ` keeps other token kinds from passing as one. */
export interface AccessClaims {
  sub: string
  /** The session (refresh-token family) the token belongs to: it stops working when that ends. */
  sid: string
  typ: 'access'
  iat: number
  exp: number
}

declare module 'fastify' {
  interface FastifyInstance {
    signAccessToken(userId: number, sessionId: string): string
    verifyAccessToken(token: string): AccessClaims
  }
}

async function jwtPlugin(app: FastifyInstance) {
  const { clock } = app
  await app.register(fastifyJwt, {
    secret: app.config.jwtSecret,
    // Seconds as a number: a unit-less string would be read as milliseconds.
    sign: { algorithm: 'HS256', iss: JWT_ISSUER, aud: JWT_AUDIENCE, expiresIn: ACCESS_TOKEN_TTL_SECONDS },
    verify: {
      // Pinned: otherwise an HS384/HS512 token made with the same secret would pass.
      algorithms: ['HS256'],
      allowedIss: JWT_ISSUER,
      allowedAud: JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'aud', 'iss', 'sub', 'sid'],
    },
  })

  app.decorate('signAccessToken', (userId: number, sessionId: string) =>
    app.jwt.sign({ sub: String(userId), sid: sessionId, typ: 'access', iat: Math.floor(clock.now().getTime() / 1000) }),
  )
  app.decorate('verifyAccessToken', (token: string) =>
    // A moved clock needs its own verifier; the real clock keeps the shared, cached one.
    clock.isSystem ? app.jwt.verify<AccessClaims>(token) : app.jwt.verify<AccessClaims>(token, { clockTimestamp: clock.now().getTime() }),
  )
}

export default fp(jwtPlugin, { name: 'jwt', dependencies: ['core'] })
