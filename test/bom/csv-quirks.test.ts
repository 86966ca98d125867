import t, { type Test } from 'tap'
import { observationColumns, type ObservationField } from '../../src/domain/observation-fields.js'
import { parseBomDate, parseMonthlyCsv } from '../../src/services/bom/csv.js'
import { BomFormatError } from '../../src/services/bom/errors.js'

const headers: string[] = observationColumns.map((column) => column.header)
const quote = (cell: string) => `"${cell}"`
const HEADER = `,${headers.map(quote).join(',')}`
const TITLE = '"Daily Weather Observations for Melbourne (Olympic Park), Victoria for October 2025"'

/** A data line with the given cells filled in (by field name) and the rest empty. */
function row(date: string, cells: Partial<Record<ObservationField, string>> = {}): string {
  return `,${observationColumns.map((column) => (column.kind === 'date' ? date : (cells[column.field] ?? ''))).join(',')}`
}

const csv = (lines: string[], eol = '\n') => Buffer.from(lines.join(eol), 'utf8')

function formatError(t: Test, fn: () => unknown, message: RegExp): void {
  try {
    fn()
    t.fail('expected a BomFormatError')
  } catch (error) {
    t.ok(error instanceof BomFormatError, 'a BomFormatError')
    t.match((error as Error).message, message)
  }
}

t.test('dates: unpadded are padded, invalid ones are not dates', async (t) => {
  t.equal(parseBomDate('2025-10-1'), '2025-10-01')
  t.equal(parseBomDate('2025-1-5'), '2025-01-05')
  t.equal(parseBomDate('2025-10-31'), '2025-10-31')
  t.equal(parseBomDate(' 2024-2-29 '), '2024-02-29')
  for (const bad of ['2025-2-29', '2025-13-1', '2025-10-32', '2025-0-1', '2025-10-0', '25-10-1', '2025/10/1', 'Date', '', 'Totals:']) {
    t.equal(parseBomDate(bad), undefined, JSON.stringify(bad))
  }
})

t.test('only data lines with a real date become records', async (t) => {
  const { records } = parseMonthlyCsv(
    csv([TITLE, '', HEADER, row('2025-10-1', { rainfall_mm: '1' }), row('2025-10-32', { rainfall_mm: '2' }), row('Totals:', { rainfall_mm: '3' }), row('', { rainfall_mm: '4' }), HEADER, row('2025-10-2', { rainfall_mm: '5' })]),
  )
  t.same(
    records.map((record) => [record.date, record.rainfall_mm]),
    [
      ['2025-10-01', 1],
      ['2025-10-02', 5],
    ],
  )
})

t.test('a date seen twice keeps its last line, and records come out in date order', async (t) => {
  const { records } = parseMonthlyCsv(
    csv([HEADER, row('2025-10-3', { rainfall_mm: '3' }), row('2025-10-1', { rainfall_mm: '1' }), row('2025-10-03', { rainfall_mm: '9.4' }), row('2025-10-2', { rainfall_mm: '2' })]),
  )
  t.same(
    records.map((record) => [record.date, record.rainfall_mm]),
    [
      ['2025-10-01', 1],
      ['2025-10-02', 2],
      ['2025-10-03', 9.4],
    ],
  )
})

t.test('cells: empty is null, Calm is 0 for wind speeds, text is trimmed, numbers are numbers', async (t) => {
  const { records } = parseMonthlyCsv(
    csv([
      HEADER,
      row('2025-10-1', {
        minimum_temperature_c: '-2.5',
        maximum_temperature_c: ' 14.0 ',
        direction_of_maximum_wind_gust: ' SSW ',
        speed_of_maximum_wind_gust_km_h: 'Calm',
        time_of_maximum_wind_gust: '09:05',
        '9am_wind_direction': ' ',
        '9am_wind_speed_km_h': 'Calm',
        '3pm_wind_speed_km_h': 'calm',
        '9am_msl_pressure_hpa': '1013.',
        '3pm_msl_pressure_hpa': '+1012.5',
      }),
    ]),
  )
  const [record] = records
  t.equal(record?.minimum_temperature_c, -2.5)
  t.equal(record?.maximum_temperature_c, 14)
  t.equal(record?.direction_of_maximum_wind_gust, 'SSW')
  t.equal(record?.speed_of_maximum_wind_gust_km_h, 0)
  t.equal(record?.time_of_maximum_wind_gust, '09:05')
  t.equal(record?.['9am_wind_direction'], null)
  t.equal(record?.['9am_wind_speed_km_h'], 0)
  t.equal(record?.['3pm_wind_speed_km_h'], 0)
  t.equal(record?.['9am_msl_pressure_hpa'], 1013)
  t.equal(record?.['3pm_msl_pressure_hpa'], 1012.5)
  t.equal(record?.rainfall_mm, null)
  t.equal(record?.['3pm_wind_direction'], null)
})

t.test('a line cut short has nulls for its missing cells', async (t) => {
  const { records } = parseMonthlyCsv(csv([HEADER, ',2025-10-5,8.1,,0.2']))
  t.equal(records.length, 1)
  t.equal(records[0]?.minimum_temperature_c, 8.1)
  t.equal(records[0]?.rainfall_mm, 0.2)
  t.equal(records[0]?.['3pm_msl_pressure_hpa'], null)
})

t.test('quoted cells, commas and doubled quotes inside quotes', async (t) => {
  const parsed = parseMonthlyCsv(
    csv([
      '"Daily Weather Observations for Kilmore Gap, ""North"", Victoria for October 2025"',
      HEADER,
      ',"2025-10-7","7.5","","0","","","N, NE","35","12:00","","","","""Calm""","Calm","","","","","","",""',
    ]),
  )
  t.equal(parsed.stationName, 'Kilmore Gap, "North"')
  const [record] = parsed.records
  t.equal(record?.date, '2025-10-07')
  t.equal(record?.minimum_temperature_c, 7.5)
  t.equal(record?.maximum_temperature_c, null)
  t.equal(record?.direction_of_maximum_wind_gust, 'N, NE')
  t.equal(record?.speed_of_maximum_wind_gust_km_h, 35)
  t.equal(record?.['9am_wind_direction'], '"Calm"')
  t.equal(record?.['9am_wind_speed_km_h'], 0)
})

t.test('line ends: LF, CRLF, CR and a mix read the same', async (t) => {
  const lines = [TITLE, '', HEADER, row('2025-10-1', { rainfall_mm: '1.2' }), row('2025-10-2', { '3pm_wind_direction': 'W' }), '"footer"']
  const expected = parseMonthlyCsv(csv(lines, '\n'))
  t.equal(expected.records.length, 2)
  t.same(parseMonthlyCsv(csv(lines, '\r\n')), expected)
  t.same(parseMonthlyCsv(csv(lines, '\r')), expected)
  t.same(parseMonthlyCsv(Buffer.from(`${lines.slice(0, 3).join('\r\n')}\n${lines.slice(3).join('\r\n')}\r\n`)), expected)
  t.equal(expected.records[1]?.['3pm_wind_direction'], 'W', 'no CR left on the last cell')
})

t.test('preamble, blank and footer lines are not data', async (t) => {
  const { stationName, records } = parseMonthlyCsv(
    csv([TITLE, '"Prepared at 13:04 UTC on Monday  3 November 2025"', ',2025-9-30,99', '', '', HEADER, '', row('2025-10-1', { rainfall_mm: '0' }), '', '"Totals are not included"', '"Notes: see the website"', '']),
  )
  t.equal(stationName, 'Melbourne (Olympic Park)')
  t.same(
    records.map((record) => record.date),
    ['2025-10-01'],
    'a data-looking line before the header is preamble',
  )
})

t.test('columns are found by their place in the header', async (t) => {
  const swapped = [...headers]
  swapped[1] = headers[2]!
  swapped[2] = headers[1]!
  const { records } = parseMonthlyCsv(csv([`,${swapped.map(quote).join(',')}`, ',2025-10-1,20.5,9.5']))
  t.equal(records[0]?.maximum_temperature_c, 20.5)
  t.equal(records[0]?.minimum_temperature_c, 9.5)
})

t.test('header labels: trailing space optional, degree sign in either encoding', async (t) => {
  const noTrailing = headers.map((header) => header.trim())
  t.equal(parseMonthlyCsv(csv([`,${noTrailing.map(quote).join(',')}`, row('2025-10-1')])).records.length, 1)
  const latin1 = Buffer.from([HEADER, row('2025-10-1', { '9am_temperature_c': '11.5' })].join('\r\n'), 'latin1')
  t.ok(latin1.includes(0xb0), 'the header carries the Latin-1 degree byte')
  t.equal(parseMonthlyCsv(latin1).records[0]?.['9am_temperature_c'], 11.5)
})

t.test('decoding: Windows-1252 when the bytes are not UTF-8', async (t) => {
  const title = Buffer.concat([Buffer.from('"Daily Weather Observations for Caf'), Buffer.from([0xe9, 0x20, 0x93, 0x4e, 0x6f, 0x72, 0x74, 0x68, 0x94]), Buffer.from(', Victoria for October 2025"\n')])
  const parsed = parseMonthlyCsv(Buffer.concat([title, Buffer.from(`${HEADER}\n${row('2025-10-1')}\n`, 'latin1')]))
  t.equal(parsed.stationName, 'Café “North”', 'é from Latin-1 and curly quotes from the 0x80–0x9F range')
  const utf8 = parseMonthlyCsv(Buffer.from(`"Daily Weather Observations for Café “North”, Victoria for October 2025"\n${HEADER}\n${row('2025-10-1')}`, 'utf8'))
  t.equal(utf8.stationName, 'Café “North”')
})

t.test('station name: from the title, else from the drawn-from line, else absent', async (t) => {
  const nameOf = (preamble: string[]) => parseMonthlyCsv(csv([...preamble, HEADER, row('2025-10-1')])).stationName
  t.equal(nameOf(['"Daily Weather Observations for Launceston, Tasmania for October 2025"']), 'Launceston')
  t.equal(nameOf(['"Daily Weather Observations for Melbourne, Victoria"']), 'Melbourne')
  t.equal(nameOf(['"Daily Weather Observations for Sydney (Observatory Hill), New South Wales for January 2026"']), 'Sydney (Observatory Hill)')
  t.equal(nameOf(['"Observations were drawn from Launceston (Ti Tree Bend) {station 091311}"']), 'Launceston (Ti Tree Bend)')
  t.equal(nameOf(['"Copyright 2025"']), undefined)
  t.notOk('stationName' in parseMonthlyCsv(csv([HEADER, row('2025-10-1')])), 'no key when no name')
})

t.test('refused: no header, or a header that is not the known columns', async (t) => {
  formatError(t, () => parseMonthlyCsv(Buffer.alloc(0)), /no header line/)
  formatError(t, () => parseMonthlyCsv(csv([TITLE, '', row('2025-10-1')])), /no header line/)
  formatError(t, () => parseMonthlyCsv(csv([`,${headers.slice(0, -1).map(quote).join(',')}`, row('2025-10-1')])), /lacks "3pm MSL pressure \(hPa\)"/)
  formatError(t, () => parseMonthlyCsv(csv([`${HEADER},"Dew point (°C)"`, row('2025-10-1')])), /unexpected column "Dew point/)
  formatError(t, () => parseMonthlyCsv(csv([`${HEADER},"Rainfall (mm)"`, row('2025-10-1')])), /"Rainfall \(mm\)" appears twice/)
  const renamed = [...headers]
  renamed[3] = 'Rainfall (inches)'
  formatError(t, () => parseMonthlyCsv(csv([`,${renamed.map(quote).join(',')}`, row('2025-10-1')])), /unexpected column "Rainfall \(inches\)"/)
})

t.test('refused: a value that is not a number in a numeric column, or cells past the header', async (t) => {
  formatError(t, () => parseMonthlyCsv(csv([TITLE, HEADER, row('2025-10-1'), row('2025-10-2', { rainfall_mm: '1.2mm' })])), /"1\.2mm" is not a number in column "Rainfall \(mm\)" \(line 4\)/)
  formatError(t, () => parseMonthlyCsv(csv([HEADER, row('2025-10-1', { '9am_temperature_c': 'Calm' })])), /"Calm" is not a number/)
  formatError(t, () => parseMonthlyCsv(csv([HEADER, row('2025-10-1', { '9am_relative_humidity_percent': '1,5' }).replace('1,5', '"1,5"')])), /"1,5" is not a number/)
  formatError(t, () => parseMonthlyCsv(csv([HEADER, `${row('2025-10-1')},42`])), /more cells than the header/)
  t.equal(parseMonthlyCsv(csv([HEADER, `${row('2025-10-1')},,`])).records.length, 1, 'trailing empty cells are harmless')
})
