import { readFileSync } from 'node:fs'
import t from 'tap'
import { customerInBrowser } from './customer.js'
import { eq } from 'drizzle-orm'
import { tiers } from '../../src/db/schema/index.js'
import { json, request, strongPassword, TestClock } from '../helper.js'
import { insertUsage } from '../usage/helpers.js'

t.test('recent requests page through the month, and the month downloads as CSV', async (t) => {
  // Mid-month, so that every row below falls in the month the export covers.
  const now = new Date('2025-11-15T12:00:00Z')
  const { page, problems } = await customerInBrowser(t, {
    build: { clock: new TestClock(now) },
    prepare: (site, user) => insertUsage(site.ctx, user, Array.from({ length: 25 }, (_, i) => ({
      timestamp: new Date(now.getTime() - (i + 1) * 60_000),
      location: `Place ${i + 1}`,
      state: 'VIC',
    }))),
  })

  const recent = page.locator('#recent')
  const rows = page.locator('#recent-rows tr')
  const newer = recent.getByRole('button', { name: 'Newer' })
  const older = recent.getByRole('button', { name: 'Older' })
  await rows.first().getByText('Place 1, VIC').waitFor()
  t.equal(await rows.count(), 10, 'ten to a page, newest first')
  t.ok(await newer.isDisabled(), 'nothing is newer than the first page')
  await older.click()
  await rows.first().getByText('Place 11, VIC').waitFor()
  await older.click()
  await rows.first().getByText('Place 21, VIC').waitFor()
  t.equal(await rows.count(), 5, 'the last page holds the rest')
  t.ok(await older.isDisabled(), 'nothing is older than the last page')
  await newer.click()
  await rows.first().getByText('Place 11, VIC').waitFor()

  const [download] = await Promise.all([page.waitForEvent('download'), recent.getByRole('button', { name: 'Download this month as CSV' }).click()])
  t.equal(download.suggestedFilename(), 'usage-2025-11.csv')
  const lines = readFileSync((await download.path())!, 'utf8').trim().split('\r\n')
  t.match(lines[0], /^id,timestamp,endpoint,location/, 'the export’s header line')
  t.equal(lines.length, 1 + 25, 'one line per request of the month')
  t.same(problems, [], 'no page logged an error')
})

t.test('keys: rename, and the tier’s key limit explained beside the form', async (t) => {
  const { site, user, page, problems } = await customerInBrowser(t, {
    prepare: async (site, user) => {
      await site.ctx.app.db.update(tiers).set({ maxApiKeys: 1 }).where(eq(tiers.name, 'free'))
      site.ctx.secrets.add(json(await request(site.ctx, 'POST', '/api/keys', { name: 'First' }, user.accessToken)).key_value)
    },
  })
  const keys = page.locator('#keys')

  await keys.getByRole('row', { name: /First/ }).getByRole('button', { name: 'Rename' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Key name').fill('Nightly import')
  await dialog.getByRole('button', { name: 'Save name' }).click()
  await keys.getByText('Key renamed to “Nightly import”.').waitFor()
  await keys.getByRole('row', { name: /Nightly import/ }).waitFor()
  t.equal((await site.ctx.app.apiKeys.list(user.id, false))[0]?.name, 'Nightly import', 'the new name is stored')

  await keys.getByLabel('Key name').fill('Second')
  await keys.getByRole('button', { name: 'Create key' }).click()
  const limit = page.locator('#key-name-error')
  await limit.waitFor()
  t.match(await limit.textContent(), /Your tier allows 1 active API keys/, 'the limit is named beside the key name field')
  t.same(problems, [], 'no page logged an error')
})

t.test('account: change the password, beside a wrong current one', async (t) => {
  const { site, user, page, problems } = await customerInBrowser(t)
  const account = page.locator('#account')
  t.equal(await account.locator('#account-email').textContent(), user.email)

  await account.getByLabel('Current password').fill('not-my-password-at-all')
  await account.getByLabel('New password').fill(strongPassword())
  await account.getByRole('button', { name: 'Change password' }).click()
  const wrong = page.locator('#current-password-error')
  await wrong.waitFor()
  t.equal(await wrong.textContent(), 'That is not your current password.')

  const chosen = strongPassword()
  site.ctx.secrets.add(chosen)
  await account.getByLabel('Current password').fill(user.password)
  await account.getByLabel('New password').fill(chosen)
  await account.getByRole('button', { name: 'Change password' }).click()
  await account.getByText('Password changed. Your other sessions have been logged out.').waitFor()
  const refresh = await request(site.ctx, 'POST', '/api/auth/refresh', { refresh_token: user.refreshToken })
  t.equal(refresh.statusCode, 401, 'the session from before the change is over')

  // This page keeps its own, new session.
  await page.reload()
  await page.locator('#dashboard').waitFor()
  t.equal(await page.locator('#account-email').textContent(), user.email, 'and this browser stays logged in')
  t.same(problems, [], 'no page logged an error')
})
