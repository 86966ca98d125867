import t from 'tap'
import { frozenRecords, jsonEtag, jsonWithRecords } from '../../src/services/weather/record-json.js'

const day = (date: string, rainfall: number | null) => ({ date, rainfall_mm: rainfall, direction: 'S"W\u2028 Pâté ☂ 😀', note: null })

t.test('the bytes are exactly what JSON.stringify writes, in UTF-8', async (t) => {
  const records = frozenRecords([day('2025-10-01', 1.5), day('2025-10-02', null)])
  const bodies: unknown[] = [
    { success: true, location: 'Melbourne', data: records, metadata: { missing_dates: [] }, cached: true },
    { data: records },
    { data: records, after: 1 },
    { before: 'x', data: records },
    { success: true, data: [], meta: { quota_limit: null } },
    { skipped: undefined, data: records, alsoSkipped: undefined, kept: 0 },
    { success: false, error: 'Bad request', code: 'VALIDATION_ERROR' },
    { data: 'not an array' },
    null,
    'text',
    42,
  ]
  for (const body of bodies) t.equal(jsonWithRecords(body, 'data').toString('utf8'), JSON.stringify(body), JSON.stringify(body))
  // Twice: the second time from the remembered text.
  t.equal(jsonWithRecords(bodies[0], 'data').toString('utf8'), JSON.stringify(bodies[0]))
})

t.test('a frozen record is written once, however many answers carry it', async (t) => {
  let reads = 0
  const record = { date: '2025-10-01', get rainfall_mm() { reads += 1; return 2 } }
  frozenRecords([record])
  for (let i = 0; i < 5; i++) t.equal(jsonWithRecords({ data: [record] }, 'data').toString('utf8'), '{"data":[{"date":"2025-10-01","rainfall_mm":2}]}')
  t.equal(reads, 1, 'the record was serialized once')
})

t.test('a record that may still change is written afresh every time', async (t) => {
  const record = day('2025-10-01', 1)
  t.equal(JSON.parse(jsonWithRecords({ data: [record] }, 'data').toString('utf8')).data[0].rainfall_mm, 1)
  record.rainfall_mm = 7
  t.equal(JSON.parse(jsonWithRecords({ data: [record] }, 'data').toString('utf8')).data[0].rainfall_mm, 7, 'the change is in the next answer')
})

t.test('stored records are frozen, so that no answer can change what the next one sends', async (t) => {
  const [record] = frozenRecords([day('2025-10-01', 1)])
  t.ok(Object.isFrozen(record))
  t.throws(() => {
    ;(record as { rainfall_mm: number | null }).rainfall_mm = 3
  }, TypeError)
})

t.test('the JSON ETag follows every byte of the answer, and only the answer', async (t) => {
  const records = frozenRecords([day('2025-10-01', 1.5), day('2025-10-02', null)])
  const body = { success: true, location: 'Melbourne', data: records, metadata: { missing_dates: [] } }
  const etag = jsonEtag(body, 'data')
  t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, 'a strong validator: SHA-256 in base64url, quoted')
  t.equal(jsonEtag({ ...body, data: frozenRecords([day('2025-10-01', 1.5), day('2025-10-02', null)]) }, 'data'), etag, 'equal content, other objects: the same ETag')
  t.equal(jsonEtag({ ...body, ignored: undefined }, 'data'), etag, 'what JSON leaves out does not count')
  const changed: [string, unknown][] = [
    ['one figure of one record', { ...body, data: frozenRecords([day('2025-10-01', 1.6), day('2025-10-02', null)]) }],
    ['a record less', { ...body, data: records.slice(0, 1) }],
    ['records in another order', { ...body, data: [records[1], records[0]] }],
    ['a field before the records', { ...body, location: 'Melbourne Airport' }],
    ['a field after the records', { ...body, metadata: { missing_dates: ['2025-10-03'] } }],
  ]
  const seen = new Set([etag])
  for (const [what, other] of changed) {
    const tag = jsonEtag(other, 'data')
    t.notOk(seen.has(tag), `${what}: another ETag`)
    seen.add(tag)
  }
  t.match(jsonEtag({ data: 'not an array' }, 'data'), /^"[A-Za-z0-9_-]{43}"$/, 'any other body is hashed whole')
})
