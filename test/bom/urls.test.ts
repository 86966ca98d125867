import t from 'tap'
import { assertPageId, isPageId, monthlyCsvUrl, normalizeBaseUrl, stateIndexUrl, stationPageUrl, yearMonth } from '../../src/services/bom/urls.js'

const BASE = 'https://www.bom.gov.au'

t.test('the monthly CSV URL', async (t) => {
  t.equal(monthlyCsvUrl(BASE, 'IDCJDW3050', 2025, 10), 'https://www.bom.gov.au/climate/dwo/202510/text/IDCJDW3050.202510.csv')
  t.equal(monthlyCsvUrl(BASE, 'IDCJDW7025', 2026, 1), 'https://www.bom.gov.au/climate/dwo/202601/text/IDCJDW7025.202601.csv', 'the month is zero-padded')
  t.equal(monthlyCsvUrl('http://127.0.0.1:20001/', 'IDCJDW3050', 2025, 10), 'http://127.0.0.1:20001/climate/dwo/202510/text/IDCJDW3050.202510.csv', 'a trailing slash on the base is dropped')
  t.equal(monthlyCsvUrl('https://mirror.example/bom//', 'IDCJDW3050', 2025, 10), 'https://mirror.example/bom/climate/dwo/202510/text/IDCJDW3050.202510.csv', 'a path prefix is kept')
})

t.test('the state index and station page URLs', async (t) => {
  t.equal(stateIndexUrl(BASE, 'VIC'), 'https://www.bom.gov.au/climate/dwo/IDCJDW0300.shtml')
  t.equal(stateIndexUrl(BASE, 'NT'), 'https://www.bom.gov.au/climate/dwo/IDCJDW0800.shtml')
  t.equal(stationPageUrl(BASE, 'IDCJDW3050'), 'https://www.bom.gov.au/climate/dwo/IDCJDW3050.latest.shtml')
  t.throws(() => stateIndexUrl(BASE, 'vic' as 'VIC'), RangeError, 'only the code itself')
})

t.test('page ids are checked before any URL is built', async (t) => {
  t.ok(isPageId('IDCJDW3050'))
  for (const bad of ['IDCJDW305', 'IDCJDW30500', 'idcjdw3050', 'IDCJDW3050/../x', '../IDCJDW3050', 'IDCJDW3050.202510', ' IDCJDW3050', 'IDCJDW3O50', '']) {
    t.notOk(isPageId(bad), JSON.stringify(bad))
    t.throws(() => assertPageId(bad), RangeError)
    t.throws(() => monthlyCsvUrl(BASE, bad, 2025, 10), RangeError)
    t.throws(() => stationPageUrl(BASE, bad), RangeError)
  }
})

t.test('years and months are checked', async (t) => {
  t.equal(yearMonth(2025, 9), '202509')
  for (const [year, month] of [
    [2025, 0],
    [2025, 13],
    [2025, 1.5],
    [25, 1],
    [Number.NaN, 1],
  ] as const) {
    t.throws(() => yearMonth(year, month), RangeError, `${year}-${month}`)
  }
})

t.test('the base URL must be http(s)', async (t) => {
  t.equal(normalizeBaseUrl('https://www.bom.gov.au/'), 'https://www.bom.gov.au')
  t.throws(() => normalizeBaseUrl('file:///etc'), RangeError)
  t.throws(() => normalizeBaseUrl('not a url'))
})
