/** Where "now" comes from. Tests inject a clock they can move instead of sleeping. */
export interface Clock {
  now(): Date
  /** True for the real clock; lets hot paths skip work only a moved clock needs. */
  readonly isSystem: boolean
}

export const systemClock: Clock = { now: () => new Date(), isSystem: true }

export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms)
}
