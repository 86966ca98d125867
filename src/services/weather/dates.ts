/** Calendar arithmetic on `YYYY-MM-DD` strings, which name days, not instants. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

// en-CA formats as YYYY-MM-DD. Built once: constructing a formatter costs far more than using it.
const SYDNEY_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Australia/Sydney', year: 'numeric', month: '2-digit', day: '2-digit' })
const HOUR_MS = 3_600_000

/** The last answer, kept for the UTC hour it belongs to: Sydney changes day only on the hour. */
let lastSydneyDate: { hour: number; date: string } | undefined

/** The calendar day of `instant` in Australia/Sydney, where the data's days are counted. */
export function sydneyDate(instant: Date): string {
  const hour = Math.floor(instant.getTime() / HOUR_MS)
  if (lastSydneyDate?.hour !== hour) lastSydneyDate = { hour, date: SYDNEY_DAY.format(instant) }
  return lastSydneyDate.date
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** True for a real calendar date written `YYYY-MM-DD` (rejects 2025-02-30). Runs several times a request. */
export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false
  const year = Number(value.slice(0, 4))
  const month = Number(value.slice(5, 7))
  const day = Number(value.slice(8, 10))
  // There is no year 0 (PostgreSQL refuses it as a date), and a date is stored as given.
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)
}

function toUtc(value: string): number {
  return Date.parse(`${value}T00:00:00Z`)
}

/** Days from `from` to `to`, both included. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS) + 1
}

export function datesInRange(from: string, to: string): string[] {
  const out: string[] = []
  for (let t = toUtc(from); t <= toUtc(to); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

/** The `YYYY-MM` months the range touches, in order. */
export function monthsInRange(from: string, to: string): string[] {
  const months: string[] = []
  let [year, month] = from.slice(0, 7).split('-').map(Number) as [number, number]
  const last = to.slice(0, 7)
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`
    months.push(key)
    if (key >= last) return months
    month += 1
    if (month > 12) {
      month = 1
      year += 1
    }
  }
}

/** The last day of a `YYYY-MM` month, as `YYYY-MM-DD`. */
export function lastDayOfMonth(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10)
}

/** The day `days` after `date` (before it, when negative). */
export function addDays(date: string, days: number): string {
  return new Date(toUtc(date) + days * DAY_MS).toISOString().slice(0, 10)
}
