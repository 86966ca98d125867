import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { PGlite } from '@electric-sql/pglite'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { TestClock } from './helpers/clock.js'
import { startInbox, type Inbox } from './helpers/inbox.js'
import { freshPglite, freshPostgres, testDatabaseUrl } from './setup/databases.js'

export { TestClock } from './helpers/clock.js'

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789'
export const APP_URL = 'https://app.fetcha.test'

/** The slice of tap's Test this helper needs. */
export type TestLike = Pick<Test, 'teardown'>

export interface BuildOptions {
  /** Environment overrides on top of the test defaults. */
  env?: Record<string, string>
  clock?: TestClock
  /** Leave the per-file log check out (for tests that log secrets on purpose). */
  allowSecretsInLogs?: boolean
  /** Run against another test app's database, as a second instance of the service would. */
  shareDatabaseWith?: TestContext
  /** Run against a database the test made and migrated itself; the test closes it. */
  database?: { url?: string; pglite?: PGlite }
}

export interface TestContext {
  app: FastifyInstance
  config: Config
  clock: TestClock
  inbox: Inbox
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[]
  /** Raw log text, for "never appears" checks. */
  logText(): string
  /** Secrets the test handled; none may appear in the logs. */
  secrets: Set<string>
  /** The database behind the app, for a second instance to share. */
  database: { url?: string; pglite?: PGlite }
  /** Apps sharing this context's database: closed before the database goes. */
  sharers: FastifyInstance[]
}

/** Shapes of secrets we never log, whatever test produced them. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['a JWT', /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/],
  ['an opaque token', /(?<![\w-])[A-Za-z0-9_-]{43}(?![\w-])/],
  ['an argon2 hash', /\$argon2id?\$/],
  ['a bcrypt hash', /\$2[aby]\$\d\d\$/],
  ['a bearer credential', /Bearer [A-Za-z0-9]/],
]

/** Names what kinds of secret the log text holds; empty when it is clean. */
export function secretsInLogs(text: string, secrets: Iterable<string>): string[] {
  const problems: string[] = []
  for (const [name, pattern] of SECRET_PATTERNS) if (pattern.test(text)) problems.push(name)
  for (const secret of secrets) if (secret.length >= 8 && text.includes(secret)) problems.push(`a secret used by the test (${secret.slice(0, 3)}…)`)
  return problems
}

/** Builds the app in-process with its own database, SMTP inbox and log capture. */
export async function build(t: TestLike, options: BuildOptions = {}): Promise<TestContext> {
  const clock = options.clock ?? new TestClock()
  const inbox = await startInbox()
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-test-'))
  const shared = options.shareDatabaseWith?.database ?? options.database
  const database = shared || !testDatabaseUrl ? undefined : await freshPostgres()
  const pglite = shared ? shared.pglite : database ? undefined : await freshPglite()
  const databaseUrl = shared ? shared.url : database?.url
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    APP_URL,
    DATA_DIR: dataDir,
    SMTP_URL: inbox.url,
    LOG_LEVEL: 'info',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  })
  const lines: string[] = []
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      callback()
    },
  })
  const app = await buildApp({ config, clock, logStream, ...(pglite ? { pglite, migrate: false } : { migrate: false }) })
  const secrets = new Set<string>()
  const ctx: TestContext = {
    app,
    config,
    clock,
    inbox,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    },
    logText: () => lines.join('\n'),
    secrets,
    database: { ...(databaseUrl ? { url: databaseUrl } : {}), ...(pglite ? { pglite } : {}) },
    sharers: [],
  }
  options.shareDatabaseWith?.sharers.push(app)
  t.teardown(async () => {
    await app.mailer.drain()
    for (const sharer of ctx.sharers) await sharer.close()
    await app.close()
    await inbox.close()
    // Only the context that made a database removes it (a sharing one closes first).
    if (!shared) {
      await pglite?.close()
      await database?.drop()
    }
    rmSync(dataDir, { recursive: true, force: true })
    // Every test's logs are checked, so the whole suite proves that nothing secret is logged.
    const leaked = options.allowSecretsInLogs ? [] : secretsInLogs(ctx.logText(), secrets)
    if (leaked.length > 0) throw new Error(`logs contain ${leaked.join(', ')}`)
  })
  return ctx
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`
}

export function strongPassword(): string {
  return `Wombat-${randomBytes(6).toString('base64url')}-rain`
}

export function json(response: LightMyRequestResponse): any {
  return JSON.parse(response.body)
}

/** Sends a JSON request; with `token`, as a Bearer credential. */
export function request(ctx: TestContext, method: InjectOptions['method'], url: string, body?: unknown, token?: string) {
  return ctx.app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
}

export interface TestUser {
  id: number
  email: string
  password: string
  accessToken: string
  refreshToken: string
}

/** Signs up a user through the API (verification off) and answers its credentials. */
export async function createUser(ctx: TestContext, overrides: { email?: string; password?: string; fullName?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail()
  const password = overrides.password ?? strongPassword()
  ctx.secrets.add(password)
  const response = await request(ctx, 'POST', '/api/auth/signup', { email, password, full_name: overrides.fullName ?? 'Test User' })
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`)
  const body = json(response)
  return { id: body.user.id, email, password, accessToken: body.access_token, refreshToken: body.refresh_token }
}

export async function login(ctx: TestContext, email: string, password: string) {
  ctx.secrets.add(password)
  return request(ctx, 'POST', '/api/auth/login', { email, password })
}
