import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'
import { TEST_JWT_SECRET } from './helper.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fetcha-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A valid environment for `t`, with `overrides` on top. */
function load(t: Test, overrides: Record<string, string | undefined> = {}) {
  return loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: tempDir(t), ...overrides })
}

function rejects(t: Test, overrides: Record<string, string | undefined>, message?: RegExp) {
  t.throws(() => load(t, overrides), message ? { name: 'ConfigError', message } : { name: 'ConfigError' }, `rejects ${JSON.stringify(overrides)}`)
}

t.test('a JWT_SECRET shorter than 32 characters is refused', async (t) => {
  rejects(t, { JWT_SECRET: 'short' }, /JWT_SECRET/)
  rejects(t, { JWT_SECRET: 'x'.repeat(31) }, /JWT_SECRET/)
  t.equal(load(t, { JWT_SECRET: 'x'.repeat(32) }).jwtSecret, 'x'.repeat(32), '32 characters are enough')
  t.throws(() => load(t, { JWT_SECRET: 'short' }), ConfigError, 'an instance of ConfigError')
})

t.test('production requires JWT_SECRET', async (t) => {
  const dataDir = tempDir(t)
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir }), { name: 'ConfigError', message: /JWT_SECRET/ })
  t.notOk(existsSync(join(dataDir, 'jwt-secret')), 'no secret is generated in production')
})

t.test('development generates a secret once and keeps it under DATA_DIR', async (t) => {
  const dataDir = join(tempDir(t), 'nested', 'data')
  const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir })
  const file = join(dataDir, 'jwt-secret')
  t.ok(existsSync(file), 'the secret is written to DATA_DIR/jwt-secret')
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only')
  t.ok(first.jwtSecret.length >= 32, 'long enough for HS256')
  t.equal(readFileSync(file, 'utf8').trim(), first.jwtSecret)
  const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir })
  t.equal(second.jwtSecret, first.jwtSecret, 'the second start reuses it')
  const elsewhere = loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir(t) })
  t.not(elsewhere.jwtSecret, first.jwtSecret, 'secrets are random, not a constant')
})

t.test('TRUST_PROXY must name proxies, never trust everyone', async (t) => {
  for (const value of ['*', 'true', 'TRUE', '10.0.0.1,*']) rejects(t, { TRUST_PROXY: value }, /TRUST_PROXY/)
  t.same(load(t, { TRUST_PROXY: '10.0.0.1, 192.168.0.0/16 ,::1' }).trustProxy, ['10.0.0.1', '192.168.0.0/16', '::1'])
  t.same(load(t).trustProxy, [], 'none by default')
})

t.test('malformed values are refused', async (t) => {
  for (const PORT of ['abc', '70000', '-1', '3000x']) rejects(t, { PORT })
  for (const DATABASE_URL of ['mysql://localhost/x', 'localhost:5432/x', 'sqlite:data.db']) rejects(t, { DATABASE_URL })
  rejects(t, { NODE_ENV: 'staging' })
  rejects(t, { AUTH_RATE_LIMIT_PER_MINUTE: '0' })
  rejects(t, { LOG_LEVEL: 'loud' })
  // The current month and the one just ended are always kept whole; a century is the most.
  for (const USAGE_RETENTION_MONTHS of ['0', '1', '1201', '12.5', 'forever']) rejects(t, { USAGE_RETENTION_MONTHS }, /USAGE_RETENTION_MONTHS/)
  t.equal(load(t, { DATABASE_URL: 'postgres://db.internal:5432/weather' }).databaseUrl, 'postgres://db.internal:5432/weather')
  t.equal(load(t, { DATABASE_URL: 'postgresql://db.internal/weather' }).databaseUrl, 'postgresql://db.internal/weather')
  t.equal(load(t, { PORT: '8080' }).port, 8080)
})

t.test('an empty variable counts as unset', async (t) => {
  const config = load(t, { PORT: '', HOST: '', DATABASE_URL: '', TRUST_PROXY: '', MAX_RANGE_DAYS: '', CORS_ORIGINS: '' })
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.databaseUrl, undefined)
  t.equal(config.maxRangeDays, 93)
  t.same(config.corsOrigins, ['http://localhost:3000'])
  const dataDir = tempDir(t)
  const generated = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, JWT_SECRET: '' })
  t.ok(existsSync(join(dataDir, 'jwt-secret')), 'an empty JWT_SECRET in development is generated')
  t.ok(generated.jwtSecret.length >= 32)
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir(t), JWT_SECRET: '' }), ConfigError, 'and refused in production')
})

t.test('defaults', async (t) => {
  const config = load(t)
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.maxRangeDays, 93)
  t.equal(config.authRateLimitPerMinute, 30)
  t.equal(config.appUrl, 'http://localhost:3000')
  t.same(config.corsOrigins, ['http://localhost:3000'], 'CORS allows the app origin only')
  t.equal(config.requireEmailVerification, false)
  t.equal(config.logLevel, 'info')
  t.equal(config.redisUrl, undefined)
  t.equal(config.smtpUrl, undefined)
  t.equal(config.bomBaseUrl, 'https://www.bom.gov.au')
  t.equal(load(t, { PORT: '8080' }).appUrl, 'http://localhost:8080', 'the links follow the listening port')
  t.equal(load(t, { PORT: '3300', HOST: '0.0.0.0' }).appUrl, 'http://localhost:3300', 'every interface includes localhost')
  t.equal(load(t, { PORT: '3300', HOST: '192.168.1.20' }).appUrl, 'http://192.168.1.20:3300', 'a chosen address is the one to link to')
  t.equal(load(t, { PORT: '3300', HOST: 'fd00::7' }).appUrl, 'http://[fd00::7]:3300', 'IPv6 is bracketed')
  t.equal(load(t, { PORT: '3300', APP_URL: 'https://app.example.com/' }).appUrl, 'https://app.example.com', 'APP_URL wins')
  t.equal(load(t, { NODE_ENV: 'production' }).host, '0.0.0.0', 'production listens on every interface')
  t.equal(load(t, { NODE_ENV: 'production', HOST: '10.1.2.3' }).host, '10.1.2.3', 'HOST wins')
  t.equal(load(t, { MAX_RANGE_DAYS: '31', AUTH_RATE_LIMIT_PER_MINUTE: '5' }).maxRangeDays, 31)
  t.equal(config.usageRetentionMonths, 13, 'raw usage rows are kept 13 months by default')
  t.equal(load(t, { USAGE_RETENTION_MONTHS: '2' }).usageRetentionMonths, 2)
})

interface Exit { code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }

/** Runs the real server entry point with exactly `env` (plus PATH) and waits for it to exit. */
function runServer(env: Record<string, string>, timeoutMs: number): Promise<Exit> {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => {
    // A server that did not exit is the failure being tested; stop it so the test can report it.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr, ms: Date.now() - started })
    })
  })
}

t.test('a short JWT_SECRET stops the boot with a clear message', async (t) => {
  const result = await runServer({ JWT_SECRET: 'short', DATA_DIR: tempDir(t), PORT: '0' }, 20_000)
  t.equal(result.signal, null, 'exited by itself')
  t.not(result.code, 0, 'non-zero exit code')
  t.ok(result.ms < 15_000, `exited quickly (${result.ms} ms)`)
  t.match(result.stderr, /JWT_SECRET/, 'stderr names the variable')
  t.match(result.stderr, /32/, 'and the requirement')
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace')
})

t.test('production without JWT_SECRET does not boot', async (t) => {
  const result = await runServer({ NODE_ENV: 'production', DATA_DIR: tempDir(t), PORT: '0' }, 20_000)
  t.equal(result.signal, null, 'exited by itself')
  t.not(result.code, 0)
  t.match(result.stderr, /JWT_SECRET/)
})
