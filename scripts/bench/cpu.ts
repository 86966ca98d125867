import { readdirSync, readFileSync } from 'node:fs'

/** Linux counts CPU time in clock ticks of 1/100 s (USER_HZ) on every platform Node runs on here. */
const TICK_S = 0.01

/** user + system CPU seconds of one process, from /proc/<pid>/stat; NaN if it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces: the numbers start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_S
  } catch {
    return NaN
  }
}

/** CPU seconds of every process named `postgres` (server, backends, background workers). */
export function postgresCpuSeconds(): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (stat.includes('(postgres)')) total += cpuSecondsOf(Number(entry)) || 0
    } catch {
      // The process ended while the list was read.
    }
  }
  return total
}

export interface CpuSplit {
  /** Microseconds of service CPU per answered request. */
  serviceUs: number
  /** Microseconds of PostgreSQL CPU per answered request (0 for the embedded database). */
  postgresUs: number
}

/** Runs `work` and answers its result with the CPU it cost per request, split by process. */
export async function withCpuSplit<T extends { total: number }>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpu: CpuSplit }> {
  const service = cpuSecondsOf(pid)
  const postgres = postgresCpuSeconds()
  const result = await work()
  const perRequest = (seconds: number) => (result.total > 0 ? (seconds * 1e6) / result.total : NaN)
  return {
    result,
    cpu: { serviceUs: perRequest(cpuSecondsOf(pid) - service), postgresUs: perRequest(postgresCpuSeconds() - postgres) },
  }
}
