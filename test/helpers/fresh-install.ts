import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestLike } from '../helper.js'
import { freePort, spawnServer, waitForHealth } from '../failure/server-process.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { vicSite } from '../weather/bom-site.js'

/**
 * The service as a newcomer starts it: `npm start` with no DATABASE_URL, no SMTP_URL and no
 * APP_URL (so the embedded database and the log mail transport), in a data directory of its
 * own, reading the fixture BOM site. Stopped and removed when the test ends.
 */
export async function startFreshInstall(t: TestLike, name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `fetcha-${name}-`))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const port = await freePort()
  // Load shedding off, as everywhere in the suite: the test machine is busy by design.
  const server = spawnServer(port, { DATA_DIR: dataDir, BOM_BASE_URL: bom.baseUrl, LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0' })
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  await waitForHealth(server, 60_000)
  return { server, port, dataDir }
}
