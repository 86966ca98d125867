import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort, logLines, spawnServer, waitForHealth, type ServerProcess } from './failure/server-process.js'
import { waitUntil } from './helpers/eventually.js'

const root = new URL('../', import.meta.url).pathname

function dataDirectory(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fetcha-startup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM')
  await server.exited
}

t.test('start-up logs one line: the URL, the docs, where the data lives, the mail transport', async (t) => {
  const dataDir = dataDirectory(t)
  const port = await freePort()
  const server = spawnServer(port, { DATA_DIR: dataDir, LOG_LEVEL: 'info', HOST: '0.0.0.0' })
  t.teardown(() => stop(server))
  await waitForHealth(server, 60_000)
  await waitUntil(() => server.stdout().includes('running at'), 10_000)
  const lines = logLines(server)
  t.equal(lines.length, server.stdout().trim().split('\n').length, 'away from a terminal every line is JSON')
  const startup = lines.filter((l) => String(l.msg).includes('running at'))
  t.equal(startup.length, 1, 'one start-up line')
  t.equal(
    startup[0]?.msg,
    `Fetcha Weather is running at http://localhost:${port}/ · API docs http://localhost:${port}/docs · ` +
      `data: embedded PostgreSQL in ${dataDir}/pglite · mail: not sent (SMTP_URL unset): each email and its link is written to this log`,
  )
  t.notOk(lines.some((l) => /Server listening/.test(String(l.msg))), "Fastify's own listening lines are replaced")
  const others = lines.filter((l) => String(l.msg).startsWith('also reachable at http://'))
  t.ok(others.every((l) => !String(l.msg).includes('127.0.0.1')), 'other interfaces are named after it, localhost only once')
})

t.test('the start-up line names a PostgreSQL server and an SMTP relay without their passwords', async (t) => {
  const port = await freePort()
  const server = spawnServer(port, {
    DATA_DIR: dataDirectory(t),
    LOG_LEVEL: 'info',
    DATABASE_URL: process.env.TEST_DATABASE_URL ? process.env.TEST_DATABASE_URL.replace('://', '://postgres:hunter2-db@') : 'postgres://postgres:hunter2-db@127.0.0.1:5432/postgres',
    SMTP_URL: 'smtp://mailer:hunter2-smtp@127.0.0.1:2525',
  })
  t.teardown(() => stop(server))
  await waitForHealth(server, 60_000)
  await waitUntil(() => server.stdout().includes('running at'), 10_000)
  const line = logLines(server).find((l) => String(l.msg).includes('running at'))?.msg as string
  t.match(line, /data: PostgreSQL at 127\.0\.0\.1:5432\/\w+/)
  t.match(line, 'mail: SMTP via 127.0.0.1:2525')
  t.notMatch(server.stdout(), /hunter2/, 'no password is printed')
})

t.test('in a terminal, development logs are readable lines, not JSON', async (t) => {
  const dataDir = dataDirectory(t)
  const port = await freePort()
  // `script` gives the service a pseudo-terminal as its stdout, as a developer's shell does.
  const child = spawn('script', ['-qfec', `${process.execPath} --import tsx src/server.ts`, '/dev/null'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const exited = new Promise((resolve) => child.on('exit', resolve))
  t.teardown(async () => {
    child.kill('SIGTERM')
    await exited
  })
  const seen = await waitUntil(() => output.includes('running at'), 60_000)
  t.ok(seen !== undefined, `the start-up line appears: ${output}`)
  const line = output.split(/\r?\n/).find((l) => l.includes('running at')) ?? ''
  t.match(line, /INFO/, 'with its level')
  t.match(line, `Fetcha Weather is running at http://localhost:${port}/`)
  t.notMatch(line, /^\s*\{/, 'not a JSON object')
  t.notMatch(line, /"level"/, 'no JSON fields')
})
