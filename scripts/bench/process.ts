import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export interface ServiceProcess {
  child: ChildProcess
  /** The process measured: the service itself, below any launcher (npm, sh). */
  pid: number
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

/** How the bench launches a process: the command, and the entry file the measured process runs. */
interface Launch {
  command: string
  args: string[]
  /** The measured process is the one (this or a descendant) whose command line names this file. */
  entry: string
}

/** The service exactly as an operator starts it: `npm start`, its defaults, no NODE_OPTIONS. */
export const NPM_START: Launch = { command: 'npm', args: ['start', '--silent'], entry: 'dist/server.js' }

/**
 * BENCH_PROFILE_DIR: the launch with a V8 CPU profile written there when the process exits. Node
 * refuses --cpu-prof in NODE_OPTIONS, so a profiled `npm start` runs its script's command itself
 * (the bench has compiled the service already), with the profile flags first.
 */
function profiled(launch: Launch): Launch {
  const dir = process.env.BENCH_PROFILE_DIR
  if (!dir) return launch
  const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`]
  if (launch !== NPM_START) return { ...launch, args: [...flags, ...launch.args] }
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
  const [node, ...args] = scripts.start!.split(/\s+/)
  if (node !== 'node') throw new Error(`cannot profile a start script that is not a node command: ${scripts.start}`)
  return { command: process.execPath, args: [...flags, ...args], entry: launch.entry }
}

/** `node <entry>`, through tsx for a .ts entry (the bench's own helper servers). */
export function nodeLaunch(entry: string): Launch {
  return { command: process.execPath, args: [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry], entry }
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name in parentheses may hold spaces: the fields after its closing one are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return []
  }
}

/** `root` or its descendant whose command line runs `entry`, if it exists yet. */
export function processRunning(root: number, entry: string): number | undefined {
  const descends = (pid: number): boolean => {
    for (let at: number | undefined = pid, hops = 0; at && hops < 16; at = parentOf(at), hops++) if (at === root) return true
    return false
  }
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)
  return pids.find((pid) => descends(pid) && commandLineOf(pid).some((arg) => arg === entry || arg.endsWith(`/${entry}`)))
}

/** Starts `launch` with `env`, waits until GET /health answers, and finds the process to measure. */
export async function startProcess(launch: Launch, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  // Something already answering there (a process left over from an interrupted run) would be
  // measured instead of this one.
  if (await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false)) throw new Error(`port ${port} is already in use`)
  const { command, args } = profiled(launch)
  const child = spawn(command, args, {
    env: { ...process.env, NODE_OPTIONS: '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const keep = (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  // `npm start` compiles before it starts the service: the first run of a clean checkout takes a while.
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${launch.entry} exited with ${child.exitCode}: ${stderr}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${launch.entry} did not become healthy: ${stderr}`)
    }
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (healthy) break
    await sleep(200)
  }
  const pid = processRunning(child.pid!, launch.entry)
  if (pid === undefined) {
    child.kill('SIGKILL')
    throw new Error(`no process below ${launch.command} runs ${launch.entry}`)
  }
  return {
    child,
    pid,
    port,
    rssMiB: () => rssOf(pid),
    output: () => stderr,
    stop: async () => {
      // The service itself, not npm: its graceful close is what is measured (npm then exits with its code).
      process.kill(pid, 'SIGTERM')
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
