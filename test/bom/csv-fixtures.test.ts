import t from 'tap'
import { observationFields } from '../../src/domain/observation-fields.js'
import { parseMonthlyCsv } from '../../src/services/bom/csv.js'
import { BomFormatError } from '../../src/services/bom/errors.js'
import { fixture } from '../fixtures/bom/server.js'

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

t.test('a past month, Windows-1252 with CRLF: Melbourne (Olympic Park), October 2025', async (t) => {
  const bytes = fixture('csv/IDCJDW3050.202510.csv')
  t.ok(bytes.includes(0xb0) && !isUtf8(bytes), 'the fixture really is Latin-1 with a degree sign')
  t.ok(bytes.includes('\r\n'), 'the fixture really has CRLF line ends')

  const { stationName, records } = parseMonthlyCsv(bytes)
  t.equal(stationName, 'Melbourne (Olympic Park)')
  t.equal(records.length, 31)
  t.same(
    records.map((record) => record.date),
    Array.from({ length: 31 }, (_, i) => `2025-10-${String(i + 1).padStart(2, '0')}`),
    'every day, zero-padded, in order',
  )
  for (const record of records) t.same(Object.keys(record).sort(), [...observationFields].sort(), `${record.date} has every field`)

  t.strictSame(records[0], {
    date: '2025-10-01',
    minimum_temperature_c: 10.2,
    maximum_temperature_c: 18.5,
    rainfall_mm: 0,
    evaporation_mm: 4.2,
    sunshine_hours: 9.8,
    direction_of_maximum_wind_gust: 'SW',
    speed_of_maximum_wind_gust_km_h: 41,
    time_of_maximum_wind_gust: '14:22',
    '9am_temperature_c': 12.5,
    '9am_relative_humidity_percent': 75,
    '9am_cloud_amount_oktas': 3,
    '9am_wind_direction': 'SW',
    '9am_wind_speed_km_h': 9,
    '9am_msl_pressure_hpa': 1015.2,
    '3pm_temperature_c': 17.4,
    '3pm_relative_humidity_percent': 55,
    '3pm_cloud_amount_oktas': 5,
    '3pm_wind_direction': 'SSW',
    '3pm_wind_speed_km_h': 17,
    '3pm_msl_pressure_hpa': 1013.8,
  })

  const day = (n: number) => records[n - 1]!
  t.equal(day(3).evaporation_mm, null, 'empty evaporation is null')
  t.equal(day(3).sunshine_hours, null, 'empty sunshine is null')
  t.equal(day(3).rainfall_mm, 4.6)
  t.equal(day(8)['9am_wind_speed_km_h'], 0, 'Calm is a speed of 0')
  t.equal(day(8)['9am_wind_direction'], null, 'a blank direction on a calm morning is null')
  t.equal(day(22)['3pm_wind_speed_km_h'], 0, 'Calm at 3pm too')
  t.equal(day(22)['3pm_wind_direction'], 'NNW')
  t.equal(day(20).direction_of_maximum_wind_gust, null)
  t.equal(day(20).speed_of_maximum_wind_gust_km_h, null)
  t.equal(day(20).time_of_maximum_wind_gust, null)
  t.equal(day(31)['3pm_msl_pressure_hpa'], 1019.0)
  const rain = records.reduce((sum, record) => sum + (record.rainfall_mm ?? 0), 0)
  t.equal(Math.round(rain * 10) / 10, 48, 'the month’s rainfall adds up over every row')
})

t.test('the current month: a few rows, the last one partial, LF line ends', async (t) => {
  const { stationName, records } = parseMonthlyCsv(fixture('csv/IDCJDW3050.202511.partial.csv'))
  t.equal(stationName, 'Melbourne (Olympic Park)')
  t.same(
    records.map((record) => record.date),
    ['2025-11-01', '2025-11-02', '2025-11-03', '2025-11-04', '2025-11-05'],
  )
  const today = records[4]!
  t.equal(today.minimum_temperature_c, 10.1)
  t.equal(today.rainfall_mm, 0.4)
  t.equal(today['9am_temperature_c'], 14.7)
  t.equal(today['9am_wind_direction'], 'NE')
  for (const field of ['maximum_temperature_c', 'evaporation_mm', 'direction_of_maximum_wind_gust', 'time_of_maximum_wind_gust', '3pm_temperature_c', '3pm_wind_direction', '3pm_wind_speed_km_h', '3pm_msl_pressure_hpa'] as const) {
    t.equal(today[field], null, `${field} not yet observed`)
  }
  t.equal(records[3]!['3pm_msl_pressure_hpa'], 1022.0, 'the row before is complete')
})

t.test('a UTF-8 file (with a byte order mark) from another state', async (t) => {
  const bytes = fixture('csv/IDCJDW7025.202510.utf8.csv')
  t.ok(isUtf8(bytes) && bytes.includes(Buffer.from('°')), 'the fixture really is UTF-8 with a degree sign')
  const { stationName, records } = parseMonthlyCsv(bytes)
  t.equal(stationName, 'Launceston')
  t.equal(records.length, 4)
  t.equal(records[1]!.minimum_temperature_c, -1.2, 'negative temperatures')
  t.equal(records[0]!['9am_wind_speed_km_h'], 0)
  t.equal(records[0]!['9am_cloud_amount_oktas'], null)
  t.strictSame(
    [records[2]!.date, records[2]!.rainfall_mm, records[2]!.direction_of_maximum_wind_gust, records[2]!.time_of_maximum_wind_gust, records[2]!['3pm_wind_speed_km_h']],
    ['2025-10-03', 6.4, 'WNW', '10:15', 22],
    'a row of quoted cells reads like any other',
  )
})

t.test('a file without the header line is refused', async (t) => {
  const error = caught(() => parseMonthlyCsv(fixture('csv/broken-no-header.csv')))
  t.ok(error instanceof BomFormatError, 'a BomFormatError')
  t.match((error as Error).message, /no header line/)
})

t.test('a header whose columns differ is refused', async (t) => {
  const error = caught(() => parseMonthlyCsv(fixture('csv/broken-columns.csv')))
  t.ok(error instanceof BomFormatError, 'a BomFormatError')
  t.match((error as Error).message, /unexpected column "Precipitation \(mm\)"/)
  t.equal((error as BomFormatError).line, 4)
})
