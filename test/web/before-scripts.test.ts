import t from 'tap'
import { launchBrowser, openPage } from './browser.js'
import { startSite } from './site.js'

/**
 * A slow connection shows a form before its script has run: a click then must not submit it
 * natively, which would send the password to the server in the address of a GET request.
 */
t.test('before the page script has run, no form can be submitted', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser, site.baseUrl)
  // The page's modules never arrive, as on a connection that stalls.
  await page.route('**/assets/js/**', (route) => route.abort())
  for (const [path, button] of [['/signup', 'Sign up'], ['/login', 'Log in'], ['/forgot-password', 'Send reset link']] as const) {
    await page.goto(path)
    const submit = page.getByRole('button', { name: button })
    await submit.waitFor()
    t.ok(await submit.isDisabled(), `${path}: "${button}" waits for the page script`)
    t.equal(await page.locator('form').first().getAttribute('method'), 'post', `${path}: a native submission would never put fields in the URL`)
  }
  await page.unroute('**/assets/js/**')
  await page.goto('/signup')
  await page.getByRole('button', { name: 'Sign up' }).waitFor()
  const submit = page.getByRole('button', { name: 'Sign up' })
  await page.waitForFunction('!document.querySelector(\'button[type="submit"]\').disabled')
  t.notOk(await submit.isDisabled(), 'with its script, the form is ready to use')
})
