import { spawn, type ChildProcess } from 'node:child_process'
import { request, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listenOnFreePort } from '../helpers/ports.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** A port below the ephemeral range that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  const port = await listenOnFreePort(probe)
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

export interface ServerProcess {
  child: ChildProcess
  port: number
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs `src/server.ts` as a real process with exactly `env` (plus PATH and HOME). */
export function spawnServer(port: number, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  return { child, port, stdout: () => stdout, stderr: () => stderr, exited }
}

export interface HttpResult {
  status?: number
  body?: string
  headers?: IncomingHttpHeaders
  /** A socket error instead of a complete answer (ECONNREFUSED, ECONNRESET, TIMEOUT…). */
  error?: string
  /** When the answer (or the error) arrived, by the test's clock. */
  at: number
}

export interface SentRequest {
  /** Resolves once the whole request has been written to an accepted connection. */
  written: Promise<void>
  result: Promise<HttpResult>
}

export interface SendOptions {
  body?: unknown
  headers?: Record<string, string>
  /** Past this the request is abandoned with the error TIMEOUT. */
  timeoutMs?: number
}

/** One request on its own connection, so that one slow answer cannot delay another. */
export function send(port: number, method: string, path: string, options: SendOptions = {}): SentRequest {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  let markWritten!: () => void
  const written = new Promise<void>((resolve) => (markWritten = resolve))
  const result = new Promise<HttpResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const done = (answer: Omit<HttpResult, 'at'>) => {
      clearTimeout(timer)
      resolve({ ...answer, at: Date.now() })
    }
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          ...options.headers,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => done({ status: res.statusCode!, body: text, headers: res.headers }))
        res.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }))
        res.on('aborted', () => done({ error: 'ABORTED' }))
      },
    )
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        done({ error: 'TIMEOUT' })
        req.destroy()
      }, options.timeoutMs)
    }
    req.on('error', (error: NodeJS.ErrnoException) => {
      markWritten()
      done({ error: error.code ?? error.message })
    })
    req.on('finish', markWritten)
    req.end(payload)
  })
  return { written, result }
}

/** Polls /health until the server answers 200. */
export async function waitForHealth(server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exitedEarly = false
  void server.exited.then(() => (exitedEarly = true))
  while (Date.now() < deadline && !exitedEarly) {
    const { status } = await send(server.port, 'GET', '/health').result
    if (status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server did not become healthy: ${server.stderr().slice(0, 500)}`)
}

/** The server's JSON log lines so far (non-JSON output is left out). */
export function logLines(server: ServerProcess): Record<string, any>[] {
  return server.stdout().split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, any>]
    } catch {
      return []
    }
  })
}

/** Waits until the server's log satisfies `ready`; false when it did not within `timeoutMs`. */
export async function waitForLog(server: ServerProcess, ready: (lines: Record<string, any>[]) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (ready(logLines(server))) return true
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return ready(logLines(server))
}

/** The link of the newest email the service logged to `to` whose link contains `path`. */
export async function loggedLink(server: ServerProcess, to: string, path: string): Promise<string> {
  const linkOf = (lines: Record<string, any>[]) =>
    lines.filter((l) => l.mail?.to === to && String(l.mail?.link ?? '').includes(path)).at(-1)?.mail.link as string | undefined
  if (!(await waitForLog(server, (lines) => linkOf(lines) !== undefined, 10_000))) throw new Error(`no ${path} link was logged`)
  return linkOf(logLines(server))!
}
