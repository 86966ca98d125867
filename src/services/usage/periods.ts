import { DAY } from '../../clock.js'
import { apiError } from '../../errors.js'
import { isMonthKey, monthStart, nextMonthStart, utcMonth } from '../metering/months.js'
import { daysInclusive, isCalendarDate } from '../weather/dates.js'

/** A span of time in UTC: `start` included, `end` excluded. */
export interface Period {
  start: Date
  end: Date
}

/** The longest span the stats report covers, both ends included. */
export const MAX_STATS_DAYS = 366
/** Months and dates outside these years are typing mistakes, not history. */
const FIRST_YEAR = 2000
const LAST_YEAR = 2999

function invalid(field: string, message: string) {
  return apiError('VALIDATION_ERROR', { message: `${field} ${message}`, extra: { details: [{ field, message }] } })
}

function inSupportedYears(value: string): boolean {
  const year = Number(value.slice(0, 4))
  return year >= FIRST_YEAR && year <= LAST_YEAR
}

/** The `YYYY-MM` a report is about: the given one, or the current UTC month when absent or empty. */
export function resolveMonth(input: string | undefined, now: Date, field = 'month'): string {
  const month = input?.trim() || utcMonth(now)
  if (!isMonthKey(month) || !inSupportedYears(month)) {
    throw invalid(field, `must be a month written YYYY-MM between ${FIRST_YEAR}-01 and ${LAST_YEAR}-12, such as 2025-11`)
  }
  return month
}

export function monthPeriod(month: string): Period {
  return { start: monthStart(month), end: nextMonthStart(month) }
}

const dayStart = (date: string) => new Date(`${date}T00:00:00Z`)
const isoDate = (instant: Date) => instant.toISOString().slice(0, 10)
const firstDay = (month: string) => `${month}-01`
const lastDay = (month: string) => isoDate(new Date(nextMonthStart(month).getTime() - DAY))

export interface DateSpan {
  startDate: string
  endDate: string
  period: Period
}

/**
 * The days the stats report covers, both ends included. A missing bound takes the current UTC
 * month's (its first day, its last day); when that would fall on the wrong side of the given
 * bound, it takes the given date's month instead. Reversed and over-long spans are refused.
 */
export function resolveDateSpan(input: { startDate?: string; endDate?: string }, now: Date): DateSpan {
  const given = { start_date: input.startDate?.trim() || undefined, end_date: input.endDate?.trim() || undefined }
  for (const [field, value] of Object.entries(given)) {
    if (value !== undefined && (!isCalendarDate(value) || !inSupportedYears(value))) {
      throw invalid(field, `must be a calendar date written YYYY-MM-DD between ${FIRST_YEAR}-01-01 and ${LAST_YEAR}-12-31`)
    }
  }
  const current = utcMonth(now)
  const defaultStart = firstDay(current)
  const defaultEnd = lastDay(current)
  const startDate = given.start_date ?? (given.end_date !== undefined && given.end_date < defaultStart ? firstDay(given.end_date.slice(0, 7)) : defaultStart)
  const endDate = given.end_date ?? (startDate > defaultEnd ? lastDay(startDate.slice(0, 7)) : defaultEnd)
  if (endDate < startDate) throw invalid('end_date', 'must be on or after start_date')
  const days = daysInclusive(startDate, endDate)
  if (days > MAX_STATS_DAYS) throw invalid('end_date', `makes a range of ${days} days; at most ${MAX_STATS_DAYS} are allowed`)
  return { startDate, endDate, period: { start: dayStart(startDate), end: new Date(dayStart(endDate).getTime() + DAY) } }
}
