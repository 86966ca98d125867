import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'

/** What the service allows a request while the database is unusable. */
export const DEADLINE_MS = 5_000
/** Past this an answer counts as a hang; well beyond the deadline so a slow 503 is told apart. */
export const HANG_MS = 15_000

export type Outcome = { response: LightMyRequestResponse; ms: number } | { hung: true; ms: number }

export function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<{ timedOut: true }>((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), ms)))
  return Promise.race([promise.then((value) => ({ value })), timeout]).finally(() => clearTimeout(timer))
}

/** Injects a request and times its answer; one that never comes is a hang, not a stuck test. */
export async function timedInject(app: FastifyInstance, options: InjectOptions): Promise<Outcome> {
  const started = Date.now()
  const result = await within(app.inject(options), HANG_MS)
  const ms = Date.now() - started
  return 'value' in result ? { response: result.value, ms } : { hung: true, ms }
}

/** The database is unusable: a 503 envelope with Retry-After within the deadline, never a 2xx. */
export function assertUnavailable(t: Test, outcome: Outcome, label: string) {
  if ('hung' in outcome) return void t.fail(`${label}: no answer after ${outcome.ms} ms`)
  const { response, ms } = outcome
  t.equal(response.statusCode, 503, `${label}: 503 (got ${response.statusCode})`)
  t.equal(response.json().code, 'SERVICE_UNAVAILABLE', `${label}: SERVICE_UNAVAILABLE`)
  t.ok(Number(response.headers['retry-after']) > 0, `${label}: Retry-After`)
  t.ok(ms < DEADLINE_MS, `${label}: answered in ${ms} ms`)
}
