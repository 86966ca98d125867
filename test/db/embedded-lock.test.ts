import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { DatabaseInUseError, lockEmbeddedDirectory } from '../../src/db/embedded-lock.js'

function directory(t: Test) {
  const parent = mkdtempSync(join(tmpdir(), 'fetcha-lock-'))
  t.teardown(() => rmSync(parent, { recursive: true, force: true }))
  return join(parent, 'pglite')
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  return Number(child.stdout.trim())
}

t.test('a held directory cannot be taken again, and is free once released', async (t) => {
  const dir = directory(t)
  const release = lockEmbeddedDirectory(dir)
  t.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid), 'the lock names its holder')
  const refusal = (() => {
    try {
      lockEmbeddedDirectory(dir)
    } catch (error) {
      return error
    }
  })()
  t.ok(refusal instanceof DatabaseInUseError, 'refused while held')
  t.equal((refusal as DatabaseInUseError).holderPid, process.pid, 'naming the holder')
  release()
  t.notOk(existsSync(`${dir}.lock`), 'released')
  lockEmbeddedDirectory(dir)()
})

t.test('a lock left by a dead process is taken over', async (t) => {
  const dir = directory(t)
  const pid = deadPid()
  writeFileSync(`${dir}.lock`, `${pid}\n`)
  const release = lockEmbeddedDirectory(dir)
  t.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid))
  release()
})

t.test('an unreadable lock file is stale', async (t) => {
  const dir = directory(t)
  writeFileSync(`${dir}.lock`, 'not a pid')
  lockEmbeddedDirectory(dir)()
})

t.test('releasing does not remove a lock another process took since', async (t) => {
  const dir = directory(t)
  const release = lockEmbeddedDirectory(dir)
  writeFileSync(`${dir}.lock`, '1\n')
  release()
  t.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), '1')
})
