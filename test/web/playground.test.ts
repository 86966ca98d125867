import t from 'tap'
import { customerInBrowser } from './customer.js'
import { json, request } from '../helper.js'
import { inPage, screenshot } from './browser.js'

t.test('the playground runs a real request with a pasted key and shows the answer', async (t) => {
  let key = ''
  const { site, page, problems } = await customerInBrowser(t, {
    prepare: async (site, user) => {
      key = json(await request(site.ctx, 'POST', '/api/keys', { name: 'Playground' }, user.accessToken)).key_value
      site.ctx.secrets.add(key)
    },
  })

  const playground = page.locator('#playground')
  await playground.getByLabel('API key').fill(key)
  await playground.getByLabel('State').selectOption('VIC')
  await playground.getByLabel('Station').fill('Melb')
  // The station list is searched with the pasted key.
  await page.locator('#play-stations option').first().waitFor({ state: 'attached' })
  const stations = await inPage<string[]>(page, "[...document.querySelectorAll('#play-stations option')].map((o) => o.value)")
  t.ok(stations.includes('Melbourne (Olympic Park)'), 'the catalogue offers matching stations')
  await playground.getByLabel('Station').fill('Melbourne (Olympic Park)')
  await playground.getByLabel('Date from').fill('2025-10-01')
  await playground.getByLabel('Date to').fill('2025-10-07')
  await playground.getByRole('button', { name: 'Run' }).click()

  await playground.getByText('Melbourne (Olympic Park) (IDCJDW3050): 7 of 7 days').waitFor()
  const answer = JSON.parse((await page.locator('#play-json').textContent())!)
  t.equal(answer.station_id, 'IDCJDW3050', 'the JSON answer is shown')
  t.equal(answer.data.length, 7)
  t.ok(await page.locator('#play-chart canvas').isVisible(), 'with its chart')
  const curl = (await page.locator('#play-curl').textContent())!
  t.equal(curl, `curl -H "X-API-Key: $FETCHA_API_KEY" "${site.baseUrl}/api/weather/location?location=Melbourne+%28Olympic+Park%29&state=VIC&date_from=2025-10-01&date_to=2025-10-07"`)
  t.notOk(curl.includes(key), 'the curl line leaves the key out')
  await playground.getByRole('button', { name: 'Copy' }).click()
  t.equal(await inPage(page, 'navigator.clipboard.readText()'), curl, 'Copy puts the curl line on the clipboard')
  await page.locator('#usage-used', { hasText: /^1$/ }).waitFor({ timeout: 10_000 })
  await screenshot(page, 'playground')

  await playground.getByLabel('Station').fill('Atlantis')
  await playground.getByRole('button', { name: 'Run' }).click()
  const stationError = page.locator('#play-location-error')
  await stationError.waitFor()
  t.match(await stationError.textContent(), /No station in VIC matches "Atlantis"/, 'an unknown station is explained beside its field')

  await playground.getByLabel('Station').fill('Melbourne')
  await playground.getByLabel('API key').fill(`fw_${'x'.repeat(43)}`)
  await playground.getByRole('button', { name: 'Run' }).click()
  const keyError = page.locator('#play-key-error')
  await keyError.waitFor()
  t.equal(await keyError.textContent(), 'The API key is not valid', 'a wrong key is explained beside the key field')
  t.same(problems, [], 'no page logged an error')
})
