import type { Clock } from '../../src/clock.js'

/** A clock tests move by hand: expiry and windows without sleeping. */
export class TestClock implements Clock {
  readonly isSystem = false
  private current: number

  constructor(start: Date = new Date()) {
    this.current = start.getTime()
  }

  now(): Date {
    return new Date(this.current)
  }

  advance(ms: number): void {
    this.current += ms
  }

  set(date: Date): void {
    this.current = date.getTime()
  }
}
