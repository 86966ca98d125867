import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { embeddedDatabase } from '../../src/db/client.js'
import { EMBEDDED_SHARED_BUFFERS } from '../../src/db/embedded-memory.js'

t.test('the embedded database runs with the small buffer pool, and keeps PGlite\'s own settings', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-embedded-memory-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const client = embeddedDatabase(dataDir)
  t.teardown(() => client.close())
  const setting = async (name: string) => ((await client.query<{ value: string }>(`select current_setting('${name}') as value`)).rows[0]!.value)
  t.equal(await setting('shared_buffers'), EMBEDDED_SHARED_BUFFERS, 'not initdb\'s 128MB')
  t.equal(await setting('search_path'), 'public', 'PGlite\'s default start parameters still apply')
  t.equal(await setting('max_worker_processes'), '0')
})
