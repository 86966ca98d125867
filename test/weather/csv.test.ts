import { parse } from 'csv-parse/sync'
import t from 'tap'
import { observationFields } from '../../src/domain/observation-fields.js'
import { json } from '../helper.js'
import { setup, weather, setupFreeTier } from './setup.js'

const RANGE = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-31'

/** A CSV cell as the JSON value it stands for: empty is null, a numeric field a number. */
function jsonValue(cell: string, sample: unknown): unknown {
  if (cell === '') return null
  return typeof sample === 'number' ? Number(cell) : cell
}

t.test('format=csv: the same days as the JSON answer, parsed back with csv-parse', async (t) => {
  const { ctx, key } = await setup(t)
  const days = json(await weather(ctx, key, RANGE)).data as Record<string, unknown>[]
  const response = await weather(ctx, key, `${RANGE}&format=csv`)
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(response.headers['content-disposition'], 'attachment; filename="IDCJDW3050-2025-10-01-2025-10-31.csv"')
  t.equal(response.headers['x-quota-limit'], 'unlimited', 'quota headers are sent with CSV too')
  t.ok(response.headers['x-quota-reset'])
  t.ok(response.body.endsWith('\r\n'), 'CRLF line ends')
  t.equal(response.body.split('\r\n').length, days.length + 2, 'a header line, one line a day, a final CRLF')

  const rows = parse(response.rawPayload, { encoding: 'utf8' }) as string[][]
  t.same(rows[0], observationFields, 'the header names the JSON fields in order')
  t.equal(rows.length - 1, days.length)
  let nulls = 0
  rows.slice(1).forEach((row, i) => {
    const day = days[i]!
    const values = Object.fromEntries(observationFields.map((field, j) => {
      if (day[field] === null) nulls += 1
      return [field, day[field] === null ? jsonValue(row[j]!, null) : jsonValue(row[j]!, day[field])]
    }))
    t.same(values, day, `day ${day.date}`)
  })
  t.ok(nulls > 0, 'the month has empty cells, and they are empty in the CSV')
})

t.test('Accept: text/csv asks for CSV; format= wins over Accept', async (t) => {
  const { ctx, key } = await setup(t)
  const url = `/api/weather/location?${RANGE}`
  const byAccept = await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key, accept: 'text/csv' } })
  t.equal(byAccept.headers['content-type'], 'text/csv; charset=utf-8')
  const refused = await ctx.app.inject({ method: 'GET', url, headers: { 'x-api-key': key, accept: 'text/csv;q=0, application/json' } })
  t.equal(refused.headers['content-type'], 'application/json; charset=utf-8', 'a weight of zero refuses CSV')
  const named = await ctx.app.inject({ method: 'GET', url: `${url}&format=json`, headers: { 'x-api-key': key, accept: 'text/csv' } })
  t.equal(named.headers['content-type'], 'application/json; charset=utf-8')
})

t.test('errors stay JSON, and a bad format is a validation error', async (t) => {
  const { ctx, key } = await setup(t)
  const missing = await weather(ctx, key, 'location=Atlantis&state=VIC&date_from=2025-10-01&format=csv')
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^application\/json/)
  t.equal(json(missing).code, 'LOCATION_NOT_FOUND')
  const bad = await weather(ctx, key, `${RANGE}&format=xml`)
  t.equal(bad.statusCode, 400)
  t.equal(json(bad).code, 'VALIDATION_ERROR')
})

t.test('text with commas and quotes is quoted as RFC 4180 asks', async (t) => {
  const { csvOfRecords } = await import('../../src/services/weather/record-csv.js')
  const csv = csvOfRecords([{ a: 'x,y', b: 'say "hi"', c: null, d: 'two\nlines' }], ['a', 'b', 'c', 'd']).toString()
  t.equal(csv, 'a,b,c,d\r\n"x,y","say ""hi""",,"two\nlines"\r\n')
  t.same(parse(csv), [['a', 'b', 'c', 'd'], ['x,y', 'say "hi"', '', 'two\nlines']])
})

t.test('a CSV answer is counted against the quota like a JSON one', async (t) => {
  const { ctx, key } = await setupFreeTier(t)
  const csv = await weather(ctx, key, `${RANGE}&format=csv`)
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['x-quota-remaining'], '99')
  const after = json(await weather(ctx, key, RANGE))
  t.equal(after.meta.quota_used, 2, 'the CSV request was counted')
})
