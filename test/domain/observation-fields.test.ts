import t from 'tap'
import { observationColumns, observationFields, type ObservationRecord } from '../../src/domain/observation-fields.js'

t.test('the 21 columns in header order with the API field names', async (t) => {
  t.same(observationFields, [
    'date',
    'minimum_temperature_c',
    'maximum_temperature_c',
    'rainfall_mm',
    'evaporation_mm',
    'sunshine_hours',
    'direction_of_maximum_wind_gust',
    'speed_of_maximum_wind_gust_km_h',
    'time_of_maximum_wind_gust',
    '9am_temperature_c',
    '9am_relative_humidity_percent',
    '9am_cloud_amount_oktas',
    '9am_wind_direction',
    '9am_wind_speed_km_h',
    '9am_msl_pressure_hpa',
    '3pm_temperature_c',
    '3pm_relative_humidity_percent',
    '3pm_cloud_amount_oktas',
    '3pm_wind_direction',
    '3pm_wind_speed_km_h',
    '3pm_msl_pressure_hpa',
  ])
  t.equal(observationColumns[6].header, 'Direction of maximum wind gust ', 'the header label keeps BOM’s trailing space')
})

t.test('kinds: directions and the gust time are text, the date is a date, the rest numbers', async (t) => {
  const text = observationColumns.filter((column) => column.kind === 'text').map((column) => column.field)
  t.same(text, ['direction_of_maximum_wind_gust', 'time_of_maximum_wind_gust', '9am_wind_direction', '3pm_wind_direction'])
  t.same(
    observationColumns.filter((column) => column.kind === 'date').map((column) => column.field),
    ['date'],
  )
  t.equal(observationColumns.filter((column) => column.kind === 'number').length, 16)
  t.same(
    observationColumns.filter((column) => 'calm' in column).map((column) => column.field),
    ['speed_of_maximum_wind_gust_km_h', '9am_wind_speed_km_h', '3pm_wind_speed_km_h'],
    'wind speeds read Calm as 0',
  )
})

t.test('the record type follows the table', async (t) => {
  const record: ObservationRecord = {
    date: '2025-10-01',
    minimum_temperature_c: 10.2,
    maximum_temperature_c: null,
    rainfall_mm: 0,
    evaporation_mm: null,
    sunshine_hours: null,
    direction_of_maximum_wind_gust: 'SW',
    speed_of_maximum_wind_gust_km_h: 41,
    time_of_maximum_wind_gust: '14:22',
    '9am_temperature_c': 12.5,
    '9am_relative_humidity_percent': 75,
    '9am_cloud_amount_oktas': null,
    '9am_wind_direction': null,
    '9am_wind_speed_km_h': 0,
    '9am_msl_pressure_hpa': 1015.2,
    '3pm_temperature_c': 17.4,
    '3pm_relative_humidity_percent': 55,
    '3pm_cloud_amount_oktas': null,
    '3pm_wind_direction': 'SSW',
    '3pm_wind_speed_km_h': 17,
    '3pm_msl_pressure_hpa': 1013.8,
  }
  t.same(Object.keys(record), observationFields)
})

t.test('value types are derived per kind (checked by tsc)', async (t) => {
  // @ts-expect-error a numeric field never holds text
  const rainfall: ObservationRecord['rainfall_mm'] = '0'
  // @ts-expect-error a text field never holds a number
  const direction: ObservationRecord['9am_wind_direction'] = 0
  // @ts-expect-error the date is always present
  const date: ObservationRecord['date'] = null
  const calm: ObservationRecord['9am_wind_speed_km_h'] = null
  t.same([rainfall, direction, date, calm], ['0', 0, null, null])
})
