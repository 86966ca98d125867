import t from 'tap'
import { isCalendarDate } from '../../src/services/weather/dates.js'

t.test('isCalendarDate accepts exactly the days of the calendar', async (t) => {
  // Every day from 1796 to 2104, written the way BOM and the API write them.
  let accepted = 0
  for (let time = Date.UTC(1796, 0, 1); time <= Date.UTC(2104, 11, 31); time += 86_400_000) {
    if (isCalendarDate(new Date(time).toISOString().slice(0, 10))) accepted += 1
  }
  t.equal(accepted, (Date.UTC(2104, 11, 31) - Date.UTC(1796, 0, 1)) / 86_400_000 + 1, 'every real day is a date')

  const leap = ['2024-02-29', '2000-02-29', '1804-02-29', '2096-02-29', '0004-02-29', '0001-01-01']
  for (const day of leap) t.ok(isCalendarDate(day), `${day} exists`)
  const notDays = [
    '2025-02-29', '1900-02-29', '2100-02-29', '1800-02-29', '2025-02-30', '2025-04-31', '2025-06-31', '2025-09-31', '2025-11-31',
    '2025-01-32', '2025-13-01', '2025-00-10', '2025-04-00', '2025-4-01', '2025-04-1', ' 2025-04-01', '2025-04-01 ', '2025/04/01',
    '20250401', '+02025-04-01', '0000-01-01', '0000-02-29', '2025-04-01T00:00', '', 'yesterday', '２０２５-04-01',
  ]
  for (const value of notDays) t.notOk(isCalendarDate(value), `${JSON.stringify(value)} is not a date`)
})
