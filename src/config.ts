import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import envSchema from 'env-schema'

const MIN_SECRET_LENGTH = 32

/** Every environment variable the service reads, with its default. */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_CONNECT_TIMEOUT_S: Type.Integer({ minimum: 1, maximum: 60, default: 5 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  BOM_BASE_URL: Type.String({ pattern: '^https?://', default: 'https://www.bom.gov.au' }),
  BOM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  BOM_CURRENT_MONTH_TTL_MINUTES: Type.Integer({ minimum: 0, maximum: 10_080, default: 60 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Fetcha Weather <no-reply@localhost>' }),
  // Default: this instance on localhost at its own port, so that emailed links open its pages.
  APP_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  CORS_ORIGINS: Type.Optional(Type.String()),
  REQUIRE_EMAIL_VERIFICATION: Type.Boolean({ default: false }),
  ADMIN_EMAILS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: '' }),
  AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }),
  API_KEY_ROTATION_GRACE_HOURS: Type.Number({ minimum: 0, maximum: 720, default: 24 }),
  MAX_RANGE_DAYS: Type.Integer({ minimum: 1, maximum: 3660, default: 93 }),
  // Months of raw usage rows kept, the current one included; at least 2, so the month just ended stays whole.
  USAGE_RETENTION_MONTHS: Type.Integer({ minimum: 2, maximum: 1200, default: 13 }),
  // Under 5 s: a request stuck on an unreachable database is answered 503 within 5 s.
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 4_500 }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
})

export type Env = Static<typeof EnvSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

/**
 * In development an unset JWT_SECRET is generated once and kept under DATA_DIR, so that
 * tokens survive restarts without anyone having to invent a secret.
 */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  return secret
}

function resolveJwtSecret(env: Env, dataDir: string): string {
  if (env.JWT_SECRET === undefined) {
    if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production')
    return developmentSecret(dataDir)
  }
  if (env.JWT_SECRET.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`)
  }
  return env.JWT_SECRET
}

/** Listening on loopback or every interface, the service is reached as localhost on this machine. */
const LOCAL_HOSTS = new Set(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'])

/** Where the emailed links point when APP_URL is unset: the address the service listens on. */
export function listenUrl(host: string, port: number): string {
  const name = LOCAL_HOSTS.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${name}:${port}`
}

function resolveConfig(env: Env) {
  const dataDir = resolve(env.DATA_DIR)
  const host = env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1')
  const appUrl = new URL(env.APP_URL ?? listenUrl(host, env.PORT))
  const trustProxy = list(env.TRUST_PROXY)
  if (trustProxy.some((p) => p === '*' || p.toLowerCase() === 'true')) {
    throw new ConfigError('TRUST_PROXY must list proxy addresses or CIDR ranges, not trust every client')
  }
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseConnectTimeoutSeconds: env.DATABASE_CONNECT_TIMEOUT_S,
    databaseStatementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    dataDir,
    jwtSecret: resolveJwtSecret(env, dataDir),
    redisUrl: env.REDIS_URL,
    bomBaseUrl: env.BOM_BASE_URL.replace(/\/+$/, ''),
    bomTimeoutMs: env.BOM_TIMEOUT_MS,
    currentMonthTtlMs: env.BOM_CURRENT_MONTH_TTL_MINUTES * 60_000,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    appUrl: appUrl.origin + appUrl.pathname.replace(/\/+$/, ''),
    corsOrigins: env.CORS_ORIGINS === undefined ? [appUrl.origin] : list(env.CORS_ORIGINS),
    requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION,
    adminEmails: list(env.ADMIN_EMAILS).map((e) => e.toLowerCase()),
    trustProxy,
    authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    keyRotationGraceMs: Math.round(env.API_KEY_ROTATION_GRACE_HOURS * 3_600_000),
    maxRangeDays: env.MAX_RANGE_DAYS,
    usageRetentionMonths: env.USAGE_RETENTION_MONTHS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    logLevel: env.LOG_LEVEL,
  }
}

export type Config = ReturnType<typeof resolveConfig>

/** Validates the environment (or an override map, for tests) and derives the typed config. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  let env: Env
  try {
    // An empty variable means "unset", as in most shells' `VAR= command` idiom.
    const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
    env = envSchema<Env>({ schema: EnvSchema, data: present, env: false, dotenv: false })
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`)
  }
  return resolveConfig(env)
}
