import t from 'tap'
import { customerInBrowser } from './customer.js'
import { MINUTE } from '../../src/clock.js'
import { createUser, request } from '../helper.js'
import { dashboardShown, loginNotice, logInThroughPage } from './actions.js'
import { inPage, launchBrowser, openPage } from './browser.js'
import { startSite } from './site.js'

t.test('an expired access token is renewed without the user noticing', async (t) => {
  const { site, page, problems } = await customerInBrowser(t)

  const refreshes: number[] = []
  page.on('response', (response) => {
    if (response.url().endsWith('/api/auth/refresh')) refreshes.push(response.status())
  })
  const expired: string[] = []
  page.on('response', async (response) => {
    if (response.status() === 401 && response.url().includes('/api/')) expired.push((await response.json()).code)
  })
  site.ctx.clock.advance(16 * MINUTE)

  const keys = page.locator('#keys')
  await keys.getByLabel('Key name').fill('After the break')
  await keys.getByRole('button', { name: 'Create key' }).click()
  await keys.getByText('Key “After the break” created.').waitFor()
  site.ctx.secrets.add(await keys.getByLabel('Your new API key').inputValue())
  t.ok(expired.includes('TOKEN_EXPIRED'), 'the service did refuse the expired access token')
  t.ok(refreshes.includes(200), 'the page renewed it with the refresh cookie')
  t.notOk(await page.locator('#create-key-form .form-error').isVisible(), 'and the user saw no error')
  t.same(problems, [], 'no page logged an error')
})

t.test('a session ended elsewhere sends an open dashboard to the login page, with a message', async (t) => {
  const { site, user, page, problems } = await customerInBrowser(t)

  // Another device logs out everywhere; once this page's access token expires, it cannot renew it.
  t.equal((await request(site.ctx, 'POST', '/api/auth/logout-all', undefined, user.accessToken)).statusCode, 200)
  site.ctx.clock.advance(16 * MINUTE)
  t.match(await loginNotice(page), /Your session has ended/, 'the next poll finds the session gone')
  t.same(problems, [], 'no page logged an error')
})

t.test('log out, and log out everywhere', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  const laptop = await openPage(browser, site.baseUrl)
  const phone = await openPage(browser, site.baseUrl)
  await logInThroughPage(laptop.page, user.email, user.password)
  await logInThroughPage(phone.page, user.email, user.password)

  await laptop.page.getByRole('button', { name: 'Log out', exact: true }).click()
  t.match(await loginNotice(laptop.page), /You have logged out/)
  await laptop.page.goto('/dashboard')
  t.match(await loginNotice(laptop.page), /Log in to see your dashboard/, 'the refresh cookie is gone with the session')
  await phone.page.reload()
  await dashboardShown(phone.page)

  await logInThroughPage(laptop.page, user.email, user.password)
  await laptop.page.getByRole('button', { name: 'Log out everywhere' }).click()
  t.match(await loginNotice(laptop.page), /logged out on every device/)
  // The phone's dashboard may notice first (its live usage request is refused), or the reload does.
  await phone.page.reload()
  t.match(await loginNotice(phone.page), /^(Log in to see your dashboard|Your session has ended)/, 'the other device is logged out too')
  t.same([...laptop.problems, ...phone.problems], [], 'no page logged an error')
})

t.test('login: a network error and a slow server are shown, never a broken page', async (t) => {
  const { user, page, problems } = await customerInBrowser(t, { loggedIn: false })
  await page.goto('/login')
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  const button = page.getByRole('button', { name: 'Log in' })

  await page.route('**/api/auth/login', (route) => route.abort('internetdisconnected'))
  await button.click()
  const alert = page.locator('#login-form .form-error')
  await alert.waitFor()
  t.equal(await alert.getAttribute('role'), 'alert', 'announced')
  t.match(await alert.textContent(), /could not be reached/)
  t.ok(await button.isEnabled(), 'the button can be used again')

  await page.unroute('**/api/auth/login')
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  await page.route('**/api/auth/login', async (route) => {
    await held
    await route.continue()
  })
  await button.click()
  await page.getByText('Logging in…').waitFor()
  t.ok(await button.isDisabled(), 'the button is disabled while the request is under way')
  t.notOk(await alert.isVisible(), 'the earlier error is cleared')
  release()
  await page.waitForURL('**/dashboard')
  await dashboardShown(page)
  t.same(problems, [], 'no page logged an error')
})

t.test('the dashboard says when the connection is lost, and recovers', async (t) => {
  const { page, problems } = await customerInBrowser(t)

  await page.route('**/api/usage/monthly', (route) => route.abort('internetdisconnected'))
  const banner = page.locator('#connection')
  await banner.getByText('The connection to the service was lost').waitFor({ timeout: 10_000 })
  await page.unroute('**/api/usage/monthly')
  await banner.waitFor({ state: 'hidden', timeout: 10_000 })
  t.ok(await page.locator('#usage').isVisible(), 'the figures stay on the page throughout')
  t.same(problems, [], 'no page logged an error')
})

t.test('the login form works from the keyboard alone, with a visible focus', async (t) => {
  const { user, page, problems } = await customerInBrowser(t, { loggedIn: false })
  await page.goto('/login')
  await page.getByLabel('Email').focus()
  const outline = await inPage<string>(page, 'getComputedStyle(document.activeElement).outlineStyle')
  t.not(outline, 'none', 'the focused field is outlined')
  await page.keyboard.type(user.email)
  await page.keyboard.press('Tab')
  await page.keyboard.type(user.password)
  await page.keyboard.press('Enter')
  await page.waitForURL('**/dashboard')
  await dashboardShown(page)
  t.same(problems, [], 'no page logged an error')
})
