import t from 'tap'
import { json } from '../helper.js'
import { MELBOURNE_OCTOBER, VIC_INDEX } from './bom-site.js'
import { setup, weather } from './setup.js'

const DATES = 'date_from=2025-10-01&date_to=2025-10-07'

t.test('station_id instead of location and state: the same days, the catalogue read once', async (t) => {
  const { ctx, bom, key } = await setup(t)
  const byId = await weather(ctx, key, `station_id=IDCJDW3050&${DATES}`)
  t.equal(byId.statusCode, 200, byId.body)
  const body = json(byId)
  t.equal(body.station_id, 'IDCJDW3050')
  t.equal(body.station_name, 'Melbourne (Olympic Park)')
  t.equal(body.state, 'VIC')
  t.equal(body.location, 'Melbourne (Olympic Park)', 'without a location the station name stands in')
  t.equal(bom.hitsOf(VIC_INDEX), 1, "an unknown id's state catalogue is read from BOM")
  const byName = json(await weather(ctx, key, `location=Melbourne&state=VIC&${DATES}`))
  t.same(body.data, byName.data)
  t.equal(bom.hitsOf(MELBOURNE_OCTOBER), 1)
  t.equal(json(await weather(ctx, key, `station_id=idcjdw3050&${DATES}`)).station_id, 'IDCJDW3050', 'any case')
})

t.test('station_id with a location and state that agree is answered', async (t) => {
  const { ctx, key } = await setup(t)
  const both = await weather(ctx, key, `station_id=IDCJDW3050&location=Melbourne&state=VIC&${DATES}`)
  t.equal(both.statusCode, 200, both.body)
  t.equal(json(both).location, 'Melbourne')
  t.equal((await weather(ctx, key, `station_id=IDCJDW3050&state=Victoria&${DATES}`)).statusCode, 200)
})

t.test('errors: disagreeing, neither, malformed, unknown', async (t) => {
  const { ctx, key } = await setup(t)
  const cases: [string, number, string][] = [
    [`station_id=IDCJDW3050&state=NSW&${DATES}`, 400, 'STATION_MISMATCH'],
    [`station_id=IDCJDW3050&location=Ballarat&${DATES}`, 400, 'STATION_MISMATCH'],
    [`station_id=IDCJDW3050&location=Ballarat&state=VIC&${DATES}`, 400, 'STATION_MISMATCH'],
    [DATES, 400, 'VALIDATION_ERROR'],
    [`location=Melbourne&${DATES}`, 400, 'VALIDATION_ERROR'],
    [`state=VIC&${DATES}`, 400, 'VALIDATION_ERROR'],
    [`station_id=3050&${DATES}`, 400, 'INVALID_STATION_ID'],
    [`station_id=IDCJDW30500&${DATES}`, 400, 'INVALID_STATION_ID'],
    [`station_id=${'x'.repeat(33)}&${DATES}`, 400, 'VALIDATION_ERROR'],
    [`station_id=IDCJDW3999&${DATES}`, 404, 'STATION_NOT_FOUND'],
    [`station_id=IDCJDW9999&${DATES}`, 404, 'STATION_NOT_FOUND'],
    [`station_id=IDCJDW3050&state=XX&${DATES}`, 400, 'INVALID_STATE'],
    [`station_id=IDCJDW3050&date_from=2025-13-01`, 400, 'INVALID_DATE'],
  ]
  for (const [query, status, code] of cases) {
    const response = await weather(ctx, key, query)
    t.equal(response.statusCode, status, query)
    t.equal(json(response).code, code, query)
  }
  const neither = json(await weather(ctx, key, DATES))
  t.same(neither.details.map((d: { field: string }) => d.field), ['location'], 'the missing field is named')
})
