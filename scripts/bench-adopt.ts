/**
 * `npm run bench:adopt`: builds an old service's database with 1 M usage rows on PostgreSQL
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, where it creates and
 * drops a database of its own), runs `npm run db:adopt` on it as an operator would, and prints
 * the time and the adoption's output. BENCH_USAGE_ROWS, BENCH_USERS and BENCH_KEYS change the size;
 * BENCH_KEEP=1 keeps the database.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { seedLegacyDatabase } from './bench/legacy-seed.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const size = {
  usage: Number(process.env.BENCH_USAGE_ROWS ?? 1_000_000),
  users: Number(process.env.BENCH_USERS ?? 10_000),
  keys: Number(process.env.BENCH_KEYS ?? 20_000),
}
const name = `fetcha_bench_adopt_${process.pid}`
const url = new URL(adminUrl)
url.pathname = `/${name}`

function adopt(args: string[]): Promise<{ code: number | null; seconds: number }> {
  const started = Date.now()
  const child = spawn('npm', ['run', '--silent', 'db:adopt', '--', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, seconds: (Date.now() - started) / 1000 })))
}

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
let exitCode = 1
try {
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
  const seeding = Date.now()
  await seedLegacyDatabase(client, size)
  const [sizes] = await client<{ usage: string; total: string }[]>`
    select pg_size_pretty(pg_total_relation_size('usage')) as usage, pg_size_pretty(pg_database_size(current_database())) as total`
  await client.end()
  console.log(`old database: ${size.users.toLocaleString('en-US')} users, ${size.keys.toLocaleString('en-US')} keys, ${size.usage.toLocaleString('en-US')} usage rows ` +
    `(usage ${sizes?.usage}, database ${sizes?.total}), built in ${((Date.now() - seeding) / 1000).toFixed(1)} s\n`)

  console.log('--- npm run db:adopt -- --dry-run')
  const dry = await adopt(['--dry-run'])
  console.log(`--- dry run: exit ${dry.code}, ${dry.seconds.toFixed(1)} s\n`)
  console.log('--- npm run db:adopt')
  const run = await adopt([])
  console.log(`--- adoption: exit ${run.code}, ${run.seconds.toFixed(1)} s (wall clock, process start included)`)
  exitCode = dry.code === 0 && run.code === 0 ? 0 : 1
} finally {
  if (process.env.BENCH_KEEP !== '1') await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
}
process.exit(exitCode)
