import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { openConfiguredDatabase } from '../../src/db/open.js'
import { users } from '../../src/db/schema/index.js'
import { freshPostgres, testDatabaseUrl } from '../setup/databases.js'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname

interface ScriptResult {
  code: number
  stdout: string
  stderr: string
}

t.test('admin:grant promotes an existing account by email', async (t) => {
  // A database of its own: a fresh Postgres one, or an embedded one in a temp dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-admin-grant-'))
  const database = testDatabaseUrl ? await freshPostgres() : undefined
  t.teardown(async () => {
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const env = { ...process.env, NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', LOG_LEVEL: 'warn' }
  const grant = async (args: string[]): Promise<ScriptResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'admin-grant.ts'), ...args], { cwd: root, env })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }
  // The embedded database allows one process at a time: open, work, close before each run.
  const withDatabase = async <T>(work: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>['db']) => Promise<T>): Promise<T> => {
    const handle = await openConfiguredDatabase(loadConfig(env))
    try {
      return await work(handle.db)
    } finally {
      await handle.close()
    }
  }
  const roleOf = (email: string) => withDatabase(async (db) => (await db.select({ role: users.role }).from(users).where(eq(users.email, email)))[0]?.role)

  const [target, bystander] = await withDatabase((db) =>
    db.insert(users).values([
      { email: 'grace.hopper@example.com', passwordHash: 'not-a-real-hash', fullName: 'Grace Hopper' },
      { email: 'bystander@example.com', passwordHash: 'not-a-real-hash', fullName: 'Someone Else' },
    ]).returning())

  t.test('without an email it prints the usage and exits 2', async (t) => {
    for (const args of [[], ['   '], ['a@example.com', 'b@example.com']]) {
      const result = await grant(args)
      t.equal(result.code, 2, JSON.stringify(args))
      t.match(result.stderr, /usage: npm run admin:grant -- EMAIL/)
    }
  })

  t.test('an unknown email exits 1 and changes nothing', async (t) => {
    const result = await grant(['nobody@example.com'])
    t.equal(result.code, 1)
    t.match(result.stderr, /no account has the email nobody@example\.com/)
    t.equal(await roleOf(target!.email), 'user')
  })

  t.test('the email is trimmed and compared case-insensitively', async (t) => {
    const result = await grant(['  Grace.HOPPER@Example.com '])
    t.equal(result.code, 0, result.stderr)
    t.match(result.stdout, new RegExp(`grace\\.hopper@example\\.com \\(user ${target!.id}\\) is now an admin`))
    t.equal(await roleOf(target!.email), 'admin')
    t.equal(await roleOf(bystander!.email), 'user', 'no other account changes')
  })

  t.test('granting again says so and succeeds', async (t) => {
    const result = await grant([target!.email])
    t.equal(result.code, 0)
    t.match(result.stdout, /was already an admin; nothing changed/)
    t.equal(await roleOf(target!.email), 'admin')
  })

  t.test('a deactivated account is promoted with a note that it cannot sign in', async (t) => {
    await withDatabase((db) => db.update(users).set({ isActive: false }).where(eq(users.id, bystander!.id)))
    const result = await grant([bystander!.email])
    t.equal(result.code, 0)
    t.match(result.stdout, /is now an admin/)
    t.match(result.stdout, /deactivated/)
    t.equal(await roleOf(bystander!.email), 'admin')
  })
})
