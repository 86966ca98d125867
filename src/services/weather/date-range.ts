import { apiError } from '../../errors.js'
import { daysInclusive, isCalendarDate } from './dates.js'

/** No daily record in Australia is older; it also keeps years to the four digits BOM's URLs use. */
export const EARLIEST_DATE = '1800-01-01'

/**
 * The range a request asks for: `date_from` defaults to today (in Australia/Sydney), `date_to`
 * to `date_from`. Bad, future and reversed dates are INVALID_DATE; a range over the maximum is
 * RANGE_TOO_LARGE.
 */
export function resolveDateRange(input: { dateFrom?: string; dateTo?: string }, today: string, maxDays: number) {
  const from = input.dateFrom?.trim() || today
  const to = input.dateTo?.trim() || from
  for (const [field, value] of [['date_from', from], ['date_to', to]] as const) {
    if (!isCalendarDate(value)) throw apiError('INVALID_DATE', { message: `${field} must be a date written YYYY-MM-DD`, extra: { field } })
    if (value > today) throw apiError('INVALID_DATE', { message: `${field} is in the future; the latest date is ${today}`, extra: { field } })
    if (value < EARLIEST_DATE) throw apiError('INVALID_DATE', { message: `${field} is before ${EARLIEST_DATE}`, extra: { field } })
  }
  if (from > to) throw apiError('INVALID_DATE', { message: 'date_from is after date_to', extra: { field: 'date_from' } })
  const days = daysInclusive(from, to)
  if (days > maxDays) {
    throw apiError('RANGE_TOO_LARGE', { message: `The range covers ${days} days; at most ${maxDays} are allowed`, extra: { max_days: maxDays } })
  }
  return { from, to, days }
}
