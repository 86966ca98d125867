import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { embeddedDatabase, openPglite } from '../../src/db/client.js'
import { openConfiguredDatabase } from '../../src/db/open.js'
import { loadConfig } from '../../src/config.js'
import { observations, stations } from '../../src/db/schema/index.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { freshPostgres, testDatabaseUrl } from '../setup/databases.js'
import { vicSite } from './bom-site.js'
import { eq } from 'drizzle-orm'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
const OCTOBER_CSV = join(root, 'test/fixtures/bom/csv/IDCJDW3050.202510.csv')

/** A database for the scripts to work on: a fresh Postgres one, or an embedded one in a temp dir. */
async function scriptEnvironment(t: Test, extra: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-scripts-'))
  const database = testDatabaseUrl ? await freshPostgres() : undefined
  t.teardown(async () => {
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const env = { ...process.env, NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '', ...extra }
  const script = (name: string, args: string[]) => run(process.execPath, ['--import', 'tsx', join(root, 'scripts', name), ...args], { cwd: root, env })
  const open = () => openConfiguredDatabase(loadConfig(env), { migrate: false })
  return { script, open }
}

t.test('stations:sync reads a state catalogue with progress output', async (t) => {
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const { script, open } = await scriptEnvironment(t, { BOM_BASE_URL: bom.baseUrl })
  const { stdout } = await script('stations-sync.ts', ['vic'])
  t.match(stdout, /\[1\/1\] VIC \(Victoria\) … 28 stations/)
  const database = await open()
  t.teardown(() => database.close())
  const [melbourne] = await database.db.select().from(stations).where(eq(stations.pageId, 'IDCJDW3050'))
  t.equal(melbourne?.name, 'Melbourne (Olympic Park)')
  t.equal(melbourne?.state, 'VIC')
})

t.test('import:bom loads a downloaded CSV without the upstream', async (t) => {
  const { script, open } = await scriptEnvironment(t, { BOM_BASE_URL: 'http://127.0.0.1:1' })
  const refused = await script('import-bom.ts', [OCTOBER_CSV, '--station', 'IDCJDW3050']).catch((error: { code: number; stderr: string }) => error)
  t.equal((refused as { code: number }).code, 2, 'an unknown station needs a name and state')
  const { stdout } = await script('import-bom.ts', [OCTOBER_CSV, '--station', 'IDCJDW3050', '--name', 'Melbourne (Olympic Park)', '--state', 'VIC'])
  t.match(stdout, /IDCJDW3050 2025-10: 31 days stored/)
  const database = await open()
  t.teardown(() => database.close())
  const rows = await database.db.select().from(observations).where(eq(observations.pageId, 'IDCJDW3050'))
  t.equal(rows.length, 31)
  t.equal(rows.find((r) => r.date === '2025-10-08')?.['9am_wind_speed_km_h'], 0, 'Calm is stored as 0')
})

t.test('a script refuses the embedded database the service holds, in one line, storing nothing', async (t) => {
  const { script } = await scriptEnvironment(t, { BOM_BASE_URL: 'http://127.0.0.1:1', DATABASE_URL: '' })
  const dataDir = (await script('migrate.ts', [])).stdout.match(/under (\S+) in/)?.[1]
  t.ok(dataDir, 'the embedded database exists')
  const held = embeddedDatabase(dataDir!)
  t.teardown(() => held.close())

  const refused = await script('import-bom.ts', [OCTOBER_CSV, '--station', 'IDCJDW3050', '--name', 'Melbourne (Olympic Park)', '--state', 'VIC'])
    .catch((error: { code: number; stdout: string; stderr: string }) => error)
  const { code, stdout, stderr } = refused as { code: number; stdout: string; stderr: string }
  t.equal(code, 1)
  t.equal(stdout, '', 'nothing is reported as stored')
  t.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`)
  t.match(stderr, `in use by another process (pid ${process.pid})`)
  t.match(stderr, /Stop it first/)
  const rows = await openPglite(held).db.select().from(observations)
  t.equal(rows.length, 0, 'and nothing was stored')

  await held.close()
  const { stdout: imported } = await script('import-bom.ts', [OCTOBER_CSV, '--station', 'IDCJDW3050', '--name', 'Melbourne (Olympic Park)', '--state', 'VIC'])
  t.match(imported, /31 days stored/, 'once released, the script runs')
})

t.test('import:bom names a missing file in one line', async (t) => {
  const { script } = await scriptEnvironment(t, { BOM_BASE_URL: 'http://127.0.0.1:1' })
  const refused = await script('import-bom.ts', ['no-such-file.csv', '--station', 'IDCJDW3050']).catch((error: { code: number; stderr: string }) => error)
  const { code, stderr } = refused as { code: number; stderr: string }
  t.equal(code, 2)
  t.equal(stderr.split('\n')[0], 'no-such-file.csv: no such file')
  t.notMatch(stderr, /\n\s+at /, 'no stack trace')
})
