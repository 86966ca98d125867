import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream } from 'pino'

const SECRET_FIELDS = [
  'password', 'new_password', 'current_password', 'password_hash', 'passwordHash',
  'token', 'access_token', 'refresh_token', 'token_hash', 'tokenHash',
  'key_value', 'api_key', 'key_hash', 'keyHash', 'secret',
]

// Query values are masked wholesale: a client may put a secret there even though we refuse it.
function maskQuery(url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const params = new URLSearchParams(url.slice(q + 1))
  for (const key of new Set(params.keys())) params.set(key, '[REDACTED]')
  return `${url.slice(0, q)}?${params.toString()}`
}

/**
 * Someone reading a terminal in development gets readable lines; anything else (production,
 * a pipe, a log collector) gets one JSON object per line.
 */
export function wantsPrettyLogs(isProduction: boolean): boolean {
  return !isProduction && process.stdout.isTTY === true
}

/** pino options shared by the app and the scripts: secrets never reach a log line. */
export function loggerOptions(level: string, stream?: DestinationStream, pretty = false): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: maskQuery(req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
    },
  }
}
