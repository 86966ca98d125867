import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startBomServer } from '../fixtures/bom/server.js'
import { freePort, loggedLink, spawnServer, waitForHealth } from '../failure/server-process.js'
import { strongPassword, uniqueEmail } from '../helper.js'
import { vicSite } from '../weather/bom-site.js'
import { dashboardShown, logInThroughPage, showingPage } from './actions.js'
import { launchBrowser, openPage } from './browser.js'

// The service as a newcomer starts it: `npm start` with no DATABASE_URL, no SMTP_URL and no
// APP_URL, so the embedded database and the log mail transport, in a data directory of its own.
t.test('a fresh install on the embedded database: the whole journey, with the emailed links read from the log', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-fresh-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const port = await freePort()
  // Load shedding off, as everywhere in the suite: the test machine is busy by design.
  const server = spawnServer(port, { DATA_DIR: dataDir, BOM_BASE_URL: bom.baseUrl, LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0' })
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  await waitForHealth(server, 60_000)
  const origin = `http://127.0.0.1:${port}`
  const browser = await launchBrowser(t)
  const { page, problems } = await openPage(browser, origin)
  const email = uniqueEmail('fresh')
  const password = strongPassword()

  await page.goto('/')
  await page.getByRole('link', { name: 'Sign up free' }).click()
  await page.getByLabel('Full name').fill('Grace Hopper')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign up' }).click()
  await showingPage(page, page.waitForURL('**/dashboard'))
  await showingPage(page, dashboardShown(page))

  const verify = await loggedLink(server, email, '/verify-email?token=')
  t.ok(verify.startsWith(`http://localhost:${port}/verify-email?token=`), 'the logged link points at this instance')
  await page.goto(verify)
  await page.getByText(`${email} is verified`).waitFor()

  await logInThroughPage(page, email, password)
  t.equal(await page.locator('#account-verified').textContent(), 'Yes')
  const keys = page.locator('#keys')
  await keys.getByRole('button', { name: 'Create key' }).click()
  await keys.getByText('Key “Default” created.').waitFor()
  const key = await keys.getByLabel('Your new API key').inputValue()
  const answer = await fetch(`${origin}/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07`, { headers: { 'x-api-key': key } })
  t.equal(answer.status, 200, 'the key works against the embedded database')
  await page.locator('#usage-used', { hasText: /^1$/ }).waitFor({ timeout: 10_000 })

  await page.getByRole('button', { name: 'Log out', exact: true }).click()
  await page.waitForURL('**/login?reason=logged-out')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Send reset link' }).click()
  await page.getByText('a password reset email is on its way').waitFor()
  await page.goto(await loggedLink(server, email, '/reset-password?token='))
  const chosen = strongPassword()
  await page.getByLabel('New password').fill(chosen)
  await page.getByRole('button', { name: 'Set new password' }).click()
  await page.getByText('Your password has been changed').waitFor()
  await logInThroughPage(page, email, chosen)
  t.same(problems, [], 'no page logged an error')
})
