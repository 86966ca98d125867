/** Numbers and instants as the reader's browser writes them, in the reader's time zone. */

const number = new Intl.NumberFormat()
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
// dateStyle and timeStyle cannot be combined with timeZoneName, so the parts are named.
const dateTimeZone = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' })
const dayOfMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' })

export const formatNumber = (value) => number.format(value)

/** An ISO instant, or a dash for none. */
export const formatInstant = (iso) => (iso ? dateTime.format(new Date(iso)) : '—')

/** An ISO instant with its time zone named, for the moment the quota resets. */
export const formatInstantWithZone = (iso) => dateTimeZone.format(new Date(iso))

/** A UTC calendar day (YYYY-MM-DD), such as "4 Nov". */
export const formatUtcDay = (day) => dayOfMonth.format(new Date(`${day}T00:00:00Z`))

export const formatMs = (ms) => `${number.format(Math.round(ms))} ms`

/**
 * How long from one instant to another, in words: "24 hours", "12 minutes". Both come from the
 * service, so the answer does not depend on the reader's clock being right.
 */
export function formatDuration(fromIso, toIso) {
  const seconds = Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000)
  const units = [['day', 86_400], ['hour', 3_600], ['minute', 60]]
  for (const [unit, size] of units) {
    if (seconds >= size) {
      const n = Math.round(seconds / size)
      return `${n} ${unit}${n === 1 ? '' : 's'}`
    }
  }
  return 'less than a minute'
}
