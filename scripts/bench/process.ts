import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export interface ServiceProcess {
  child: ChildProcess
  port: number
  /** Resident memory now, in MiB, read from /proc. */
  rssMiB(): number
  /** The last few kilobytes it wrote (its log), for explaining a failure. */
  output(): string
  /** Stops it with SIGTERM (a graceful close) and answers its exit code. */
  stop(): Promise<number | null>
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
    return kib / 1024
  } catch {
    return NaN
  }
}

/** Starts `node <entry>` (through tsx for a .ts entry) with `env` and waits until GET /health answers. */
export async function startProcess(entry: string, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  // Something already answering there (a process left over from an interrupted run) would be
  // measured instead of this one.
  if (await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false)) throw new Error(`port ${port} is already in use`)
  // BENCH_PROFILE_DIR: a V8 CPU profile of each process, written there when it exits.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : []
  const child = spawn(process.execPath, [...profile, ...loader, entry], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const keep = (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}: ${stderr}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${entry} did not become healthy: ${stderr}`)
    }
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (healthy) break
    await sleep(200)
  }
  return {
    child,
    port,
    rssMiB: () => rssOf(child.pid!),
    output: () => stderr,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** Samples a process's RSS while `work` runs; answers the work's result and the peak seen. */
export async function withPeakRss<T>(service: ServiceProcess, work: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  let peak = service.rssMiB()
  const timer = setInterval(() => (peak = Math.max(peak, service.rssMiB())), 50)
  try {
    const result = await work()
    return { result, peakRssMiB: Math.max(peak, service.rssMiB()) }
  } finally {
    clearInterval(timer)
  }
}
