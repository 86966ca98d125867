import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Probes until `accept` holds or `boundMs` has passed, for effects that travel between
 * processes (a database notification, a reconnect). Answers the last value and when it came.
 */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, boundMs: number, stepMs = 10): Promise<{ value: T; ms: number }> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    const ms = Date.now() - started
    if (accept(value) || ms >= boundMs) return { value, ms }
    await sleep(stepMs)
  }
}

/** Polls `check` until it holds: answers after how many ms, or undefined when `boundMs` passed first. */
export async function waitUntil(check: () => boolean | Promise<boolean>, boundMs: number, stepMs = 20): Promise<number | undefined> {
  const { value, ms } = await eventually(async () => check(), (held) => held, boundMs, stepMs)
  return value ? ms : undefined
}
