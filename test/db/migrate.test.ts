import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import t, { type Test } from 'tap'
import { migratePgliteDatabase, migratePostgresDatabase, migrationsFolder } from '../../src/db/migrate.js'
import { adminClient, blankPglite, testDatabaseUrl, urlFor } from '../setup/databases.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TABLES = ['users', 'refresh_tokens', 'one_time_tokens']
const migrationCount = (JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length

const TABLES_PRESENT = `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename in ('users', 'refresh_tokens', 'one_time_tokens')`
const APPLIED = 'select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id'

/** Runs `npm run db:migrate` with exactly `env` (plus PATH and HOME). */
function runMigrateScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', ['run', '--silent', 'db:migrate'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })))
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fetcha-migrate-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('PGlite: migrating twice is a no-op the second time', async (t) => {
  const db = await blankPglite()
  t.teardown(() => db.close())
  await migratePgliteDatabase(db)
  const applied = (await db.query(APPLIED)).rows
  t.equal(applied.length, migrationCount, 'one bookkeeping row per migration')
  await db.query(`insert into users (email, password_hash, full_name) values ('kept@example.com', 'x', 'Kept')`)

  await migratePgliteDatabase(db)
  t.same((await db.query(APPLIED)).rows, applied, 'the second run applied nothing')
  t.equal((await db.query<{ n: number }>(TABLES_PRESENT)).rows[0]?.n, TABLES.length, 'users, refresh_tokens, one_time_tokens exist')
  t.equal((await db.query<{ n: number }>(`select count(*)::int as n from users`)).rows[0]?.n, 1, 'existing rows are kept')
})

t.test('npm run db:migrate on the embedded database, twice', async (t) => {
  const dataDir = tempDir(t)
  for (const run of ['first', 'second']) {
    const { code, output } = await runMigrateScript({ DATA_DIR: dataDir })
    t.equal(code, 0, `${run} run exits 0: ${output.trim().slice(0, 300)}`)
  }
  const db = new PGlite(join(dataDir, 'pglite'))
  t.teardown(() => db.close())
  t.equal((await db.query<{ n: number }>(TABLES_PRESENT)).rows[0]?.n, TABLES.length)
  t.equal((await db.query(APPLIED)).rows.length, migrationCount)
})

if (testDatabaseUrl) {
  t.test('PostgreSQL: concurrent migrations and the migrate script', async (t) => {
    const name = `fetcha_test_migrate_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = adminClient()
    await admin.unsafe(`create database ${name}`)
    t.teardown(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    })
    const url = urlFor(name)
    const client = postgres(url, { max: 1, onnotice: () => {} })
    t.teardown(() => client.end())

    const outcomes = await Promise.allSettled([migratePostgresDatabase(url), migratePostgresDatabase(url)])
    t.same(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled'], 'both callers succeed')
    t.equal((await client.unsafe<{ n: number }[]>(TABLES_PRESENT))[0]?.n, TABLES.length, 'the schema exists once')
    const applied = await client.unsafe(APPLIED)
    t.equal(applied.length, migrationCount, 'one bookkeeping row per migration file')

    for (const run of ['first', 'second']) {
      const { code, output } = await runMigrateScript({ DATABASE_URL: url, DATA_DIR: tempDir(t) })
      t.equal(code, 0, `npm run db:migrate, ${run} run, exits 0: ${output.trim().slice(0, 300)}`)
    }
    t.same([...(await client.unsafe(APPLIED))], [...applied], 'the script applied nothing more')
  })
}
