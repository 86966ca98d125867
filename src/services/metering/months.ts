/** Usage is counted per calendar month in UTC: quotas reset at 00:00 UTC on the 1st. */

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/

/** `YYYY-MM` of the instant, in UTC. */
export function utcMonth(instant: Date): string {
  return instant.toISOString().slice(0, 7)
}

export function isMonthKey(value: string): boolean {
  return MONTH_KEY.test(value)
}

/** The first instant of the month. */
export function monthStart(month: string): Date {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, m - 1, 1))
}

/** The first instant of the month after `month`: when its quota resets. */
export function nextMonthStart(month: string): Date {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, m, 1))
}

let lastReset: { month: string; iso: string } | undefined

/** `nextMonthStart` as ISO text, for the quota headers of every metered answer (kept per month). */
export function quotaResetIso(month: string): string {
  if (lastReset?.month !== month) lastReset = { month, iso: nextMonthStart(month).toISOString() }
  return lastReset.iso
}

/** Whole seconds from `now` until the next month begins (at least 1): a Retry-After value. */
export function secondsUntilNextMonth(now: Date): number {
  return Math.max(1, Math.ceil((nextMonthStart(utcMonth(now)).getTime() - now.getTime()) / 1000))
}
