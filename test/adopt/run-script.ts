import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { legacyDatabase } from './legacy-database.js'
import type { fillOldServiceRows } from './old-service-rows.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' })

/** `npm run db:adopt -- …args` with exactly `env` (plus PATH and HOME). */
export function runAdopt(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn('npm', ['run', '--silent', 'db:adopt', '--', ...args], { cwd: root, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

export function runMigrate(env: Record<string, string>): Promise<number | null> {
  const child = spawn('npm', ['run', '--silent', 'db:migrate'], { cwd: root, env: { ...baseEnv(), ...env }, stdio: 'ignore' })
  return new Promise((resolve) => child.on('exit', resolve))
}

export function dataDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fetcha-adopt-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The old database of this leg (embedded: under DATA_DIR, as the script finds it) and the environment that points the script at it. */
export async function oldDatabase(t: Test, fill: typeof fillOldServiceRows) {
  const dir = dataDir(t)
  const database = await legacyDatabase(t, { dataDir: join(dir, 'pglite') })
  await fill(database)
  const env: Record<string, string> = { DATA_DIR: dir, ...(database.target.url ? { DATABASE_URL: database.target.url } : {}) }
  return { database, env }
}

export const noStackTrace = (text: string) => !/\n\s+at .+:\d+:\d+/.test(text)
