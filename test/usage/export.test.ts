import { sql } from 'drizzle-orm'
import t from 'tap'
import { rebuildDailyRollups } from '../../src/services/usage/rollups.js'
import { createUsageReports, EXPORT_COLUMNS } from '../../src/services/usage/reports.js'
import { request } from '../helper.js'
import { insertUsage, setup } from './helpers.js'

/** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\r' && text[i + 1] === '\n') rows.push([...row, cell]), (row = []), (cell = ''), i++
    else cell += c
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}

const HEADER = EXPORT_COLUMNS.join(',')

t.test('GET /api/usage/export', async (t) => {
  const { ctx, user, other } = await setup(t)
  const exportOf = (query = '', who = user) => request(ctx, 'GET', `/api/usage/export${query}`, undefined, who.accessToken)
  await insertUsage(ctx, user, [
    { timestamp: '2025-10-31T23:59:59.900Z', location: 'October' },
    {
      timestamp: '2025-11-01T00:00:00Z',
      location: 'Melbourne, VIC',
      state: 'VIC',
      dateFrom: '2025-10-01',
      dateTo: '2025-10-02',
      statusCode: 404,
      responseTimeMs: 12.5,
      errorMessage: 'No station matches "Melb"\nTry again, please',
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; "quoted"), like Gecko',
    },
    { timestamp: '2025-11-02T00:00:00Z', location: '=HYPERLINK("http://evil.example","click")', errorMessage: '+1+2', userAgent: '@SUM(A1:A2)', state: '-2+3' },
    { timestamp: '2025-11-03T00:00:00Z', location: '\t=cmd', errorMessage: 'plain text' },
    { timestamp: '2025-12-01T00:00:00Z', location: 'December' },
  ])
  await insertUsage(ctx, other, [{ timestamp: '2025-11-05T00:00:00Z', location: 'Secret place' }])

  t.test("the current month's rows as an attachment", async (t) => {
    const response = await exportOf()
    t.equal(response.statusCode, 200)
    t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
    t.equal(response.headers['content-disposition'], 'attachment; filename="usage-2025-11.csv"')
    t.equal(response.headers['x-export-truncated'], 'false')
    t.equal(response.headers['cache-control'], 'no-store')
    const rows = parseCsv(response.body)
    t.equal(response.body.split('\r\n')[0], HEADER)
    t.equal(rows.length, 4, 'a header and three rows')
    t.ok(rows.every((r) => r.length === EXPORT_COLUMNS.length), 'every row has every column')
    const first = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, rows[1]![i]]))
    t.match(first, {
      timestamp: '2025-11-01T00:00:00.000Z',
      endpoint: '/api/weather/location',
      location: 'Melbourne, VIC',
      state: 'VIC',
      date_from: '2025-10-01',
      date_to: '2025-10-02',
      status_code: '404',
      response_time_ms: '12.5',
      error_message: 'No station matches "Melb"\nTry again, please',
      api_key_id: '',
      ip_address: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (X11; "quoted"), like Gecko',
    })
    t.match(first.id, /^\d+$/)
    t.ok(response.body.includes('"No station matches ""Melb""\nTry again, please"'), 'quotes doubled, line break kept inside quotes')
  })

  t.test('cells a spreadsheet would run start with an apostrophe', async (t) => {
    const rows = parseCsv((await exportOf('?month=2025-11&format=csv')).body)
    const column = (name: (typeof EXPORT_COLUMNS)[number], row: number) => rows[row]![EXPORT_COLUMNS.indexOf(name)]
    t.equal(column('location', 2), `'=HYPERLINK("http://evil.example","click")`)
    t.equal(column('error_message', 2), "'+1+2")
    t.equal(column('user_agent', 2), "'@SUM(A1:A2)")
    t.equal(column('state', 2), "'-2+3")
    t.equal(column('location', 3), "'\t=cmd")
    t.equal(column('error_message', 3), 'plain text')
  })

  t.test('month boundaries are exact, and only the user’s rows', async (t) => {
    const october = parseCsv((await exportOf('?month=2025-10')).body)
    t.equal(october.length, 2)
    t.equal(october[1]![EXPORT_COLUMNS.indexOf('timestamp')], '2025-10-31T23:59:59.900Z')
    const december = await exportOf('?month=2025-12')
    t.equal(december.headers['content-disposition'], 'attachment; filename="usage-2025-12.csv"')
    t.equal(parseCsv(december.body)[1]![EXPORT_COLUMNS.indexOf('location')], 'December')
    t.notOk((await exportOf()).body.includes('Secret'))
    const theirs = parseCsv((await exportOf('', other)).body)
    t.equal(theirs.length, 2)
    const empty = await exportOf('?month=2024-01')
    t.equal(empty.statusCode, 200)
    t.equal(empty.body, HEADER + '\r\n', 'an empty month is just the header')
  })

  t.test('only csv, and a valid month', async (t) => {
    const cases: [string, string][] = [['?format=xlsx', 'format'], ['?format=', 'format'], ['?format=CSV', 'format'], ['?month=2025-13', 'month'], ['?month=11-2025', 'month']]
    for (const [query, field] of cases) {
      const response = await exportOf(query)
      t.equal(response.statusCode, 400, query)
      t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
      const body = JSON.parse(response.body)
      t.equal(body.code, 'VALIDATION_ERROR')
      t.equal(body.details[0].field, field, query)
    }
  })
})

t.test('the export pages by (timestamp, id) at full precision and stops at its bound', async (t) => {
  const { ctx, user } = await setup(t)
  // Twelve rows within one millisecond: three distinct microsecond instants, four rows each.
  await ctx.app.db.execute(sql`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, timestamp)
    select gen_random_uuid(), ${user.id}, 'e' || g, 1, 200, timestamptz '2025-11-03 10:00:00.000100+00' + ((g * 7) % 3) * interval '1 microsecond'
    from generate_series(1, 12) g`)
  await rebuildDailyRollups(ctx.app.db, [user.id])
  const expected = await ctx.app.db.execute(sql`select id::int as id from usage where user_id = ${user.id} order by timestamp, id`)
  const expectedIds = (Array.isArray(expected) ? expected : (expected as { rows: { id: number }[] }).rows).map((r) => String(r.id))

  async function run(exportMaxRows: number, exportPageSize: number) {
    const reports = createUsageReports({ db: ctx.app.db, clock: ctx.clock, retentionMonths: 13, exportMaxRows, exportPageSize })
    const result = await reports.exportCsv(user.id, '2025-11')
    let text = ''
    for await (const chunk of result.lines) text += chunk
    return { truncated: result.truncated, ids: parseCsv(text).slice(1).map((r) => r[0]) }
  }

  for (const pageSize of [1, 2, 5, 12, 1000]) {
    const all = await run(100, pageSize)
    t.same(all.ids, expectedIds, `every row once, in order, with pages of ${pageSize}`)
    t.equal(all.truncated, false)
  }
  const cut = await run(5, 2)
  t.same(cut.ids, expectedIds.slice(0, 5), 'the oldest rows up to the bound')
  t.equal(cut.truncated, true)
  t.equal((await run(12, 5)).truncated, false, 'exactly the bound is not truncated')
})
