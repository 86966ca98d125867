import { parse } from 'csv-parse/sync'
import t from 'tap'
import { observationFields } from '../../src/domain/observation-fields.js'
import { MAX_FIELDS_LENGTH } from '../../src/services/weather/field-selection.js'
import { json } from '../helper.js'
import { setup, weather } from './setup.js'

const RANGE = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07'

t.test('fields= selects fields of the JSON records, date always first, in the order of the full record', async (t) => {
  const { ctx, key } = await setup(t)
  const full = json(await weather(ctx, key, RANGE)).data
  const response = await weather(ctx, key, `${RANGE}&fields=rainfall_mm,minimum_temperature_c,maximum_temperature_c`)
  t.equal(response.statusCode, 200, response.body)
  const data = json(response).data
  t.equal(data.length, 7)
  t.same(Object.keys(data[0]), ['date', 'minimum_temperature_c', 'maximum_temperature_c', 'rainfall_mm'])
  data.forEach((day: Record<string, unknown>, i: number) => {
    t.same(day, { date: full[i].date, minimum_temperature_c: full[i].minimum_temperature_c, maximum_temperature_c: full[i].maximum_temperature_c, rainfall_mm: full[i].rainfall_mm })
  })
  const again = json(await weather(ctx, key, RANGE)).data
  t.same(again, full, 'a selection leaves the full records as they were')
})

t.test('fields= selects the CSV columns too', async (t) => {
  const { ctx, key } = await setup(t)
  const response = await weather(ctx, key, `${RANGE}&format=csv&fields=date,rainfall_mm`)
  const rows = parse(response.rawPayload, { encoding: 'utf8' }) as string[][]
  t.same(rows[0], ['date', 'rainfall_mm'])
  t.equal(rows.length, 8)
})

t.test('a name given twice counts once; spaces and empty names are ignored; empty selects all', async (t) => {
  const { ctx, key } = await setup(t)
  const twice = json(await weather(ctx, key, `${RANGE}&fields=rainfall_mm,%20rainfall_mm,,`)).data
  t.same(Object.keys(twice[0]), ['date', 'rainfall_mm'])
  const empty = json(await weather(ctx, key, `${RANGE}&fields=`)).data
  t.same(Object.keys(empty[0]), observationFields)
})

t.test('an unknown field is UNKNOWN_FIELD listing the valid ones; an overlong parameter is a validation error', async (t) => {
  const { ctx, key } = await setup(t)
  const unknown = await weather(ctx, key, `${RANGE}&fields=rainfall_mm,rain,snow,rain`)
  t.equal(unknown.statusCode, 400)
  const body = json(unknown)
  t.equal(body.code, 'UNKNOWN_FIELD')
  t.same(body.unknown_fields, ['rain', 'snow'])
  t.same(body.valid_fields, observationFields)
  const csv = await weather(ctx, key, `${RANGE}&format=csv&fields=rain`)
  t.equal(json(csv).code, 'UNKNOWN_FIELD', 'a CSV request is refused in JSON')

  const every = observationFields.join(',')
  t.equal((await weather(ctx, key, `${RANGE}&fields=${every}`)).statusCode, 200, 'every field once fits')
  const overlong = await weather(ctx, key, `${RANGE}&fields=${'x'.repeat(MAX_FIELDS_LENGTH + 1)}`)
  t.equal(overlong.statusCode, 400)
  t.equal(json(overlong).code, 'VALIDATION_ERROR')
})
