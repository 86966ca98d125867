import { apiError } from '../../errors.js'
import { resolveDateRange } from './date-range.js'
import { addDays, lastDayOfMonth } from './dates.js'

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

/**
 * The days a summary covers: a whole `month` (the current one up to yesterday, as today's
 * figures are still being made, or today alone on its first day), or `date_from`/`date_to`
 * within the range limit. One of the two ways, not both.
 */
export function resolveSummaryRange(input: { month?: string; dateFrom?: string; dateTo?: string }, today: string, maxDays: number) {
  const month = input.month?.trim()
  const datesGiven = Boolean(input.dateFrom?.trim() || input.dateTo?.trim())
  if (month && datesGiven) throw apiError('INVALID_DATE', { message: 'Give month or date_from/date_to, not both', extra: { field: 'month' } })
  if (!month) {
    if (!datesGiven) throw apiError('INVALID_DATE', { message: 'month (YYYY-MM) or date_from is required', extra: { field: 'month' } })
    return resolveDateRange({ dateFrom: input.dateFrom, dateTo: input.dateTo }, today, maxDays)
  }
  if (!MONTH.test(month)) throw apiError('INVALID_DATE', { message: 'month must be written YYYY-MM', extra: { field: 'month' } })
  const from = `${month}-01`
  if (from > today) throw apiError('INVALID_DATE', { message: `month is in the future; the latest is ${today.slice(0, 7)}`, extra: { field: 'month' } })
  const yesterday = addDays(today, -1)
  const to = lastDayOfMonth(month) <= yesterday ? lastDayOfMonth(month) : yesterday < from ? from : yesterday
  return resolveDateRange({ dateFrom: from, dateTo: to }, today, Math.max(maxDays, 31))
}
