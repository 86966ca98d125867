import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { OLD_SECRETS } from './adopted-app.js'
import { fillConflictingRows } from './conflicting-rows.js'
import { legacyDatabase } from './legacy-database.js'
import { fillOldServiceRows } from './old-service-rows.js'
import { snapshot } from './snapshot.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `npm run db:adopt -- …args` with exactly `env` (plus PATH and HOME). */
function runAdopt(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn('npm', ['run', '--silent', 'db:adopt', '--', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

function runMigrate(env: Record<string, string>): Promise<number | null> {
  const child = spawn('npm', ['run', '--silent', 'db:migrate'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'ignore' })
  return new Promise((resolve) => child.on('exit', resolve))
}

function dataDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fetcha-adopt-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The old database of this leg and the environment that points the script at it. */
async function oldDatabase(t: Test, fill: typeof fillOldServiceRows) {
  const dir = dataDir(t)
  const database = await legacyDatabase(t, { dataDir: join(dir, 'pglite') })
  await fill(database)
  const env: Record<string, string> = { DATA_DIR: dir, ...(database.target.url ? { DATABASE_URL: database.target.url } : {}) }
  return { database, env }
}

const noStackTrace = (text: string) => !/\n\s+at .+:\d+:\d+/.test(text)

t.test('bad input: a clear message and a non-zero exit, never a stack trace', async (t) => {
  const env = { DATA_DIR: dataDir(t) }
  const cases: [string[], RegExp][] = [
    [['--bogus'], /^error: Unknown option '--bogus'/],
    [['--keep-email', 'nobody'], /^error: --keep-email takes ADDRESS=ID, not "nobody"/],
    [['--keep-email', 'ann@example.com=first'], /^error: --keep-email: "first" is not a row id/],
    [['--set-email', '3=not an address'], /^error: --set-email: "not an address" is not an email address this service accepts/],
    [['--set-tier', '3=gold'], /^error: --set-tier: "gold" is not a tier \(free, pro, enterprise\)/],
    [['--dry-run', 'extra'], /^error: Unexpected argument 'extra'/],
  ]
  for (const [args, message] of cases) {
    const run = await runAdopt(args, env)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, message)
    t.match(run.stderr, /usage: npm run db:adopt/)
    t.ok(noStackTrace(run.stderr), 'no stack trace')
  }
  const unreachable = await runAdopt([], { ...env, DATABASE_URL: 'postgres://postgres:secret-password@127.0.0.1:1/nowhere', DATABASE_CONNECT_TIMEOUT_S: '2' })
  t.equal(unreachable.code, 1)
  t.match(unreachable.stderr, /^error: cannot reach the database \(.+\)\. Nothing was changed\./)
  t.notMatch(unreachable.stderr + unreachable.stdout, /secret-password/, 'the URL\'s password is not echoed')
  t.ok(noStackTrace(unreachable.stderr))
  const badUrl = await runAdopt([], { ...env, DATABASE_URL: 'mysql://somewhere' })
  t.equal(badUrl.code, 2)
  t.match(badUrl.stderr, /^error: Invalid configuration: .*DATABASE_URL/)
})

t.test('npm run db:adopt: dry run, run, run again, then db:migrate', async (t) => {
  const { database, env } = await oldDatabase(t, fillOldServiceRows)
  await database.release()

  const dry = await runAdopt(['--dry-run'], env)
  t.equal(dry.code, 0, dry.stderr)
  t.match(dry.stdout, /^Dry run: the database holds the previous service's tables\. Nothing was changed\./)

  const run = await runAdopt([], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^Adopted in \d+\.\d s: the database is this service's now/)
  t.match(run.stderr, /applying the \d+ migrations in drizzle\//, 'steps on stderr')
  t.match(run.stderr, /usage: 121 \/ 121 rows \(100\.0 %\)/, 'progress on the usage table')

  const again = await runAdopt([], env)
  t.equal(again.code, 0)
  t.match(again.stdout, /already this service's database .*nothing to adopt, nothing changed/)
  t.equal(await runMigrate(env), 0, 'npm run db:migrate works on it as on any database of ours')

  for (const output of [dry, run, again]) {
    for (const secret of OLD_SECRETS) t.notOk(output.stdout.includes(secret) || output.stderr.includes(secret), `${secret.slice(0, 6)}… is not in the output`)
  }
})

t.test('npm run db:adopt on a database with conflicts: exit 1, the report, nothing changed', async (t) => {
  const { database, env } = await oldDatabase(t, fillConflictingRows)
  const before = await snapshot(database)
  await database.release()
  for (const args of [['--dry-run'], []]) {
    const run = await runAdopt(args, env)
    t.equal(run.code, 1, args.join(' ') || 'real run')
    t.match(run.stdout, /Rows that cannot come across as they are \(14\):/)
    t.ok(noStackTrace(run.stdout + run.stderr))
  }
  t.same(await snapshot(database), before, 'nothing changed')
})
