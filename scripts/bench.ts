/**
 * `npm run bench`: throughput, latency and memory of the service on this machine, next to the
 * ceiling of bare Fastify answering the same payload, plus the cost of the password hash.
 *
 * The service is measured as an operator runs it: started by `npm start` with its defaults and
 * no NODE_OPTIONS, the RSS and CPU being those of the node process below npm. Each database kind
 * gets a fresh migrated database, seeded with one user on a tier with a large quota, an API key
 * and one stored month of observations; each row starts the service as a process of its own (so
 * the RSS is that workload's) and autocannon drives it over loopback.
 *
 * Environment: BENCH_DATABASE_URL (an admin URL of the PostgreSQL server to create the bench
 * database on; default postgres://postgres@127.0.0.1:5432/postgres), BENCH_DURATION_S (10),
 * BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50), BENCH_DATABASES (postgres,pglite), BENCH_ROWS (b,b7,c,d,e,f,g),
 * BENCH_BOOKS_REQUESTS (5000), BENCH_REDIS_URL (optional: rate-limit counters in Redis, as a
 * scaled-out deployment keeps them), BENCH_PROFILE_DIR (a V8 CPU profile of each process).
 *
 * `npm run bench -- --usage-scale` runs the usage-at-scale section instead, on PostgreSQL: the
 * partitioning migration on 1 M rows, then the usage reports of a heavy user in a 10 M-row log
 * (USAGE_SCALE_ROWS, USAGE_SCALE_REQUESTS per route, USAGE_SCALE_MIGRATION_ROWS).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBenchDatabase, type BenchDatabase, type DatabaseKind } from './bench/databases.js'
import { drive, isValid, type LoadOptions, type LoadResult } from './bench/load.js'
import { benchPasswordHash } from './bench/password-hash.js'
import { withCpuSplit, type CpuSplit } from './bench/cpu.js'
import { nodeLaunch, NPM_START, startProcess, withPeakRss, type ServiceProcess } from './bench/process.js'
import { BENCH_MONTH, BENCH_STATION, meteringTotals, seed } from './bench/seed.js'
import { benchPartitioningMigration, measureUsageRoutes, meteredIntoLog, seedUsageAtScale, USAGE_SCALE, type LatencyRow } from './bench/usage-scale.js'

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  durationSeconds: Number(process.env.BENCH_DURATION_S ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_S ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  databases: (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',').map((s) => s.trim()) as DatabaseKind[],
  rows: new Set((process.env.BENCH_ROWS ?? 'b,b7,c,d,e,f,g').split(',').map((s) => s.trim())),
  booksRequests: Number(process.env.BENCH_BOOKS_REQUESTS ?? 5_000),
  redisUrl: process.env.BENCH_REDIS_URL,
}
/** Peak RSS limits of the metered rows: the embedded database lives in the service's own memory. */
const TARGET = { p99Ms: 25, rssMiB: { postgres: 200, pglite: 260 } }
const SERVICE_PORT = 23_000
const BARE_PORT = 23_001
const LOCATION_PATH = `/api/weather/location?location=Melbourne&state=VIC&date_from=${BENCH_MONTH}-01&date_to=${BENCH_MONTH}-31`
/** The short range most customer calls ask for. */
const LOCATION_WEEK_PATH = `/api/weather/location?location=Melbourne&state=VIC&date_from=${BENCH_MONTH}-01&date_to=${BENCH_MONTH}-07`
const SUMMARY_PATH = `/api/weather/summary?location=Melbourne&state=VIC&date_from=${BENCH_MONTH}-01&date_to=${BENCH_MONTH}-31`
const JWT_SECRET = 'benchmark-secret-that-is-long-enough-for-hs256-0123456789'

interface Row {
  id: string
  label: string
  database: DatabaseKind | '-'
  load: LoadResult
  peakRssMiB: number
  cpu: CpuSplit
}

/** A warm-up run, then the measured run with the service's peak RSS sampled throughout. */
async function measure(service: ServiceProcess, options: Omit<LoadOptions, 'connections' | 'durationSeconds'>) {
  await drive({ ...options, connections: settings.connections, durationSeconds: settings.warmupSeconds })
  const { result, peakRssMiB } = await withPeakRss(service, () =>
    withCpuSplit(service.pid, () => drive({ ...options, connections: settings.connections, durationSeconds: settings.durationSeconds })),
  )
  return { load: result.result, cpu: result.cpu, peakRssMiB }
}

function serviceEnv(database: BenchDatabase): Record<string, string> {
  return {
    ...database.env,
    NODE_ENV: 'production',
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    // Load shedding would answer 503 to a deliberately saturated process; the bench measures capacity.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    // Nothing may go upstream: the data is stored, and a refused port makes any attempt visible.
    BOM_BASE_URL: 'http://127.0.0.1:9',
    ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl } : {}),
  }
}

async function countedSoFar(database: BenchDatabase, userId: number) {
  const handle = await database.open()
  try {
    return await meteringTotals(handle.db, userId)
  } finally {
    await handle.close()
  }
}

/**
 * The books: a fixed number of metered requests, every one answered (a timed run abandons the
 * requests in flight when it ends), between two graceful stops so that every usage row is
 * written. Answers, usage rows and the counter's increase must be the same number.
 */
async function checkBooks(database: BenchDatabase, userId: number, keyHeader: Record<string, string>) {
  const before = await countedSoFar(database, userId)
  const service = await startProcess(NPM_START, SERVICE_PORT, serviceEnv(database))
  let load: LoadResult
  try {
    load = await drive({ url: `http://127.0.0.1:${SERVICE_PORT}${LOCATION_PATH}`, headers: keyHeader, connections: Math.min(settings.connections, settings.booksRequests), amount: settings.booksRequests })
  } catch (error) {
    await service.stop()
    throw error
  }
  const exitCode = await service.stop()
  const after = await countedSoFar(database, userId)
  return {
    sent: settings.booksRequests,
    answered: load.total - load.statuses['5xx']!,
    usageRows: after.usageRows - before.usageRows,
    counter: after.counter - before.counter,
    exitCode,
  }
}

/** Starts the service on the database, runs `work` against it, and stops it whatever happens. */
async function withService<T>(database: BenchDatabase, work: (service: ServiceProcess, base: string) => Promise<T>): Promise<T> {
  const service = await startProcess(NPM_START, SERVICE_PORT, serviceEnv(database))
  try {
    return await work(service, `http://127.0.0.1:${SERVICE_PORT}`)
  } finally {
    await service.stop()
  }
}

async function benchService(kind: DatabaseKind, payloads: PayloadFiles) {
  const database = await createBenchDatabase(kind, settings.adminUrl)
  try {
    const seeding = await database.open()
    const seeded = await seed(seeding.db)
    await seeding.close()

    const keyHeader = { 'x-api-key': seeded.apiKey }
    const { bearer } = await withService(database, async (service, base) => {
      const loginBody = JSON.stringify({ email: seeded.email, password: seeded.password })
      const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody })
      if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}\n${service.output()}`)
      const { access_token: accessToken } = (await login.json()) as { access_token: string }

      // The ceilings answer exactly what the metered route answered.
      for (const [path, file] of [[LOCATION_PATH, payloads.month], [LOCATION_WEEK_PATH, payloads.week]] as const) {
        const probe = await fetch(`${base}${path}`, { headers: keyHeader })
        if (!probe.ok) throw new Error(`metered probe failed: ${probe.status} ${await probe.text()}\n${service.output()}`)
        const payload = await probe.text()
        if (!payload.includes(BENCH_STATION.pageId)) throw new Error('metered probe answered another station')
        writeFileSync(file, payload)
      }
      return { bearer: { authorization: `Bearer ${accessToken}` } }
    })

    const plan: [string, string, (base: string) => Omit<LoadOptions, 'connections' | 'durationSeconds'>][] = [
      ['b', '(b) GET /api/weather/location (metered)', (base) => ({ url: `${base}${LOCATION_PATH}`, headers: keyHeader })],
      ['b7', '(b7) GET /api/weather/location, 7 days (metered)', (base) => ({ url: `${base}${LOCATION_WEEK_PATH}`, headers: keyHeader })],
      ['f', '(f) GET /api/weather/location as CSV (metered)', (base) => ({ url: `${base}${LOCATION_PATH}&format=csv`, headers: keyHeader })],
      ['g', '(g) GET /api/weather/summary (metered, 31 days)', (base) => ({ url: `${base}${SUMMARY_PATH}`, headers: keyHeader })],
      ['c', '(c) GET /api/auth/me (JWT)', (base) => ({ url: `${base}/api/auth/me`, headers: bearer })],
      ['d', '(d) GET /api/usage/monthly', (base) => ({ url: `${base}/api/usage/monthly`, headers: bearer })],
      ['e', '(e) POST /api/auth/login', (base) => ({
        url: `${base}/api/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        bodies: seeded.loginEmails.map((email) => JSON.stringify({ email, password: seeded.password })),
      })],
    ]
    const rows: Row[] = []
    // Each row gets a service process of its own, so that its peak RSS is that workload's.
    for (const [id, label, options] of plan) {
      if (!settings.rows.has(id)) continue
      const { load, cpu, peakRssMiB } = await withService(database, (service, base) => measure(service, options(base)))
      rows.push({ id, label, database: kind, load, cpu, peakRssMiB })
    }
    return { rows, books: await checkBooks(database, seeded.userId, keyHeader) }
  } finally {
    await database.drop()
  }
}

/** Where the metered answers were saved, for the ceilings to serve the same bytes. */
interface PayloadFiles {
  month: string
  week: string
}

const CEILINGS = [
  { id: 'a', answer: 'month', form: 'object', label: '(a) bare Fastify, same payload (ceiling)' },
  { id: "a'", answer: 'month', form: 'bytes', label: "(a') bare Fastify, same bytes pre-serialized" },
  { id: 'a7', answer: 'week', form: 'object', label: '(a7) bare Fastify, 7-day payload' },
  { id: "a7'", answer: 'week', form: 'bytes', label: "(a7') bare Fastify, 7-day bytes pre-serialized" },
] as const

async function benchCeiling(payloads: PayloadFiles, ceiling: (typeof CEILINGS)[number]): Promise<Row> {
  const env = { BENCH_PAYLOAD_FILE: payloads[ceiling.answer], BENCH_CEILING_FORM: ceiling.form }
  const bare = await startProcess(nodeLaunch('scripts/bench/bare-server.ts'), BARE_PORT, env)
  try {
    const path = ceiling.answer === 'month' ? LOCATION_PATH : LOCATION_WEEK_PATH
    const { load, cpu, peakRssMiB } = await measure(bare, { url: `http://127.0.0.1:${BARE_PORT}${path}` })
    return { id: ceiling.id, label: ceiling.label, database: '-', load, cpu, peakRssMiB }
  } finally {
    await bare.stop()
  }
}

/** The ratios the targets are about: [numerator, denominator, target]. */
const RATIOS: [string, string, number][] = [
  ['b', 'a', 0.5],
  ['b', "a'", 0.25],
  ['b7', 'a7', 0.5],
  ['b7', "a7'", 0.3],
  ['c', 'a7', 0.5],
]

function ratioLine(rows: Row[], ceilings: Row[]): string {
  const parts: string[] = []
  for (const [top, bottom, target] of RATIOS) {
    const a = rows.find((r) => r.id === top)
    const b = ceilings.find((r) => r.id === bottom)
    if (!a || !b) continue
    const value = isValid(a.load) && isValid(b.load) ? `${((a.load.requestsPerSecond / b.load.requestsPerSecond) * 100).toFixed(1)} %` : 'INVALID'
    parts.push(`(${top})/(${bottom}) = ${value} (target ≥ ${target * 100} %)`)
  }
  return parts.join(', ')
}

function printTable(rows: Row[]) {
  const header = ['row', 'db', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'peak RSS MiB', 'service CPU µs/req', 'PostgreSQL CPU µs/req']
  const lines = rows.map((r) => [
    r.label,
    r.database,
    r.load.requestsPerSecond.toFixed(0),
    r.load.p50Ms.toFixed(1),
    r.load.p99Ms.toFixed(1),
    String(r.load.errors),
    r.load.refusals || '0',
    r.peakRssMiB.toFixed(0),
    r.cpu.serviceUs.toFixed(0),
    r.database === 'postgres' ? r.cpu.postgresUs.toFixed(0) : '-',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const format = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(format(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(format(line))
}

const USAGE_P95_TARGET_MS = 50

/** The usage-at-scale section; answers how many of its checks failed. */
async function benchUsageScale(): Promise<number> {
  let failures = 0
  console.log(`\nPartitioning migration (0009) on ${USAGE_SCALE.migrationRows.toLocaleString('en-US')} usage rows, PostgreSQL`)
  const migration = await benchPartitioningMigration(settings.adminUrl, USAGE_SCALE.migrationRows)
  const kept = migration.before.n === migration.after.n && migration.before.checksum === migration.after.checksum
  if (!kept) failures += 1
  console.log(`  ${migration.seconds.toFixed(1)} s; rows ${migration.before.n} before, ${migration.after.n} after; checksum of every column ${migration.before.checksum} before, ${migration.after.checksum} after: ${kept ? 'match' : 'MISMATCH'}`)

  console.log(`\nUsage at scale: ${USAGE_SCALE.rows.toLocaleString('en-US')} usage rows, ${USAGE_SCALE.users} users, ${USAGE_SCALE.months} months, one user with a tenth of them; PostgreSQL`)
  const database = await createBenchDatabase('postgres', settings.adminUrl)
  try {
    const scale = await seedUsageAtScale(database, (line) => console.log(line))
    console.log(`  generated ${scale.rows.toLocaleString('en-US')} rows in ${scale.seconds.toFixed(0)} s, with their rollups`)
    const { rows, metered } = await withService(database, async (service, base) => {
      const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: scale.email, password: scale.password }) })
      if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`)
      const { access_token: accessToken } = (await login.json()) as { access_token: string }
      const rows = await measureUsageRoutes(service, base, { authorization: `Bearer ${accessToken}` })
      const { result: metered, peakRssMiB } = await withPeakRss(service, () =>
        meteredIntoLog(`${base}${LOCATION_PATH}`, { 'x-api-key': scale.apiKey }, settings.connections, settings.durationSeconds))
      return { rows, metered: { load: metered, peakRssMiB } }
    })
    printLatencies(rows)
    for (const row of rows) if (row.failures > 0 || row.p95Ms >= USAGE_P95_TARGET_MS) failures += 1
    const valid = isValid(metered.load)
    if (!valid) failures += 1
    console.log(`\n  metered ${LOCATION_PATH.split('?')[0]} writing into the ${USAGE_SCALE.rows.toLocaleString('en-US')}-row log, ${settings.connections} connections: ${valid ? `${metered.load.requestsPerSecond.toFixed(0)} req/s, p99 ${metered.load.p99Ms} ms` : `INVALID (errors ${metered.load.errors}, non-2xx ${metered.load.refusals})`}, peak RSS ${metered.peakRssMiB.toFixed(0)} MiB`)
  } finally {
    await database.drop()
  }
  return failures
}

function printLatencies(rows: LatencyRow[]) {
  console.log(`\n  ${USAGE_SCALE.requestsPerRoute} requests per route, one at a time, for the heavy user (target: p95 < ${USAGE_P95_TARGET_MS} ms)`)
  const header = ['route', 'p50 ms', 'p95 ms', 'p99 ms', 'peak RSS MiB', 'failed']
  const lines = rows.map((r) => [r.route, r.p50Ms.toFixed(1), r.p95Ms.toFixed(1), r.p99Ms.toFixed(1), r.peakRssMiB.toFixed(0), String(r.failures)])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const format = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(format(header))
  console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(format(line))
}

const workDir = mkdtempSync(join(tmpdir(), 'fetcha-bench-payload-'))
const payloads: PayloadFiles = { month: join(workDir, 'location-31-days.json'), week: join(workDir, 'location-7-days.json') }
try {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  if (process.argv.includes('--usage-scale')) {
    process.exitCode = (await benchUsageScale()) > 0 ? 1 : 0
  } else {
    await benchHttp()
  }
} finally {
  rmSync(workDir, { recursive: true, force: true })
}

/** The HTTP rows: the service's routes beside the bare-Fastify ceilings, and the books. */
async function benchHttp() {
  await benchPasswordHash()
  console.log(`\nHTTP: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured, loopback, LOG_LEVEL=warn${settings.redisUrl ? ', rate limits in Redis' : ''}\n`)

  const services: { kind: DatabaseKind; rows: Row[]; books: Awaited<ReturnType<typeof benchService>>['books'] }[] = []
  for (const kind of settings.databases) services.push({ kind, ...(await benchService(kind, payloads)) })
  const ceilings: Row[] = []
  for (const ceiling of CEILINGS) ceilings.push(await benchCeiling(payloads, ceiling))

  printTable([...ceilings, ...services.flatMap((s) => s.rows)])
  console.log('')
  let failures = 0
  for (const { kind, rows, books } of services) {
    console.log(`${kind}: ${ratioLine(rows, ceilings)}`)
    for (const metered of rows.filter((r) => r.id === 'b' || r.id === 'b7')) {
      console.log(`${kind}: (${metered.id}) p99 ${metered.load.p99Ms} ms (target ≤ ${TARGET.p99Ms}), peak RSS ${metered.peakRssMiB.toFixed(0)} MiB (target ≤ ${TARGET.rssMiB[kind]})${isValid(metered.load) ? '' : ', INVALID'}`)
    }
    const balanced = books.answered === books.sent && books.answered === books.usageRows && books.usageRows === books.counter
    if (!balanced || books.exitCode !== 0) failures += 1
    console.log(`${kind}: books: ${books.sent} metered requests sent, ${books.answered} answered, ${books.usageRows} usage rows, counter +${books.counter}: ${balanced ? 'match' : 'MISMATCH'}; graceful stop exit code ${books.exitCode}`)
  }
  process.exitCode = failures > 0 ? 1 : 0
}
