import t from 'tap'
import { customerInBrowser } from './customer.js'
import { createUser, strongPassword } from '../helper.js'
import { HOUR } from '../../src/clock.js'
import { launchBrowser, openPage, seriousAccessibilityViolations } from './browser.js'
import { dashboardShown, loginNotice, logInThroughPage } from './actions.js'
import { startSite } from './site.js'

t.test('forgot password: the emailed link sets a new password and ends the old sessions', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  const before = await openPage(browser, site.baseUrl)
  await logInThroughPage(before.page, user.email, user.password)

  const { page, problems } = await openPage(browser, site.baseUrl)
  await page.goto('/login')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByLabel('Email').fill(user.email)
  await page.getByRole('button', { name: 'Send reset link' }).click()
  await page.getByText('a password reset email is on its way').waitFor()

  const mail = await site.ctx.inbox.waitFor((m) => m.to.includes(user.email) && /Reset/.test(m.subject))
  site.ctx.secrets.add(mail.token!)
  t.ok(mail.link?.startsWith(`${site.baseUrl}/reset-password?token=`), 'the email links to this service’s reset page')
  await page.goto(mail.link!)
  const newPassword = page.getByLabel('New password')
  await newPassword.waitFor()
  t.notOk(page.url().includes('token='), 'the token is removed from the address bar once read')
  t.same(await seriousAccessibilityViolations(page), [], 'reset page: no serious accessibility findings')

  await newPassword.fill('password')
  await page.getByRole('button', { name: 'Set new password' }).click()
  const tooCommon = page.locator('#reset-password-error')
  await tooCommon.waitFor()
  t.match(await tooCommon.textContent(), /New password is too common/, 'a refused password is explained beside its field')
  t.equal(await newPassword.getAttribute('aria-invalid'), 'true')

  const chosen = strongPassword()
  site.ctx.secrets.add(chosen)
  await newPassword.fill(chosen)
  await page.getByRole('button', { name: 'Set new password' }).click()
  await page.getByText('Your password has been changed').waitFor()

  // The session that was open before the reset cannot renew itself any more. Its dashboard may
  // notice first (its live usage request is refused: "session ended"), or the reload does (the
  // refresh is refused: "log in to see your dashboard"); either way it lands on the login page.
  await before.page.reload()
  t.match(await loginNotice(before.page), /^(Log in to see your dashboard|Your session has ended)/, 'the old session is sent to the login page, with a message')

  await page.getByRole('link', { name: 'Log in' }).last().click()
  t.match(await loginNotice(page), /password has been changed/)
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Log in' }).click()
  const wrong = page.locator('#login-password-error')
  await wrong.waitFor()
  t.equal(await wrong.textContent(), 'That email and password do not match an account.', 'the old password is refused, beside the password field')
  await page.getByLabel('Password').fill(chosen)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL('**/dashboard')
  await dashboardShown(page)

  // The same link, opened again.
  await page.goto(mail.link!)
  await page.getByText('This reset link has already been used').waitFor()
  t.ok(await page.getByRole('link', { name: 'Request a new link' }).isVisible(), 'and offers a new one')
  t.notOk(await newPassword.isVisible(), 'no password form for a used link')
  t.same([...before.problems, ...problems], [], 'no page logged an error')
})

t.test('an expired, a mistyped and a missing reset link each say what happened', async (t) => {
  const { site, user, page, problems } = await customerInBrowser(t, { loggedIn: false })

  await page.goto('/forgot-password')
  await page.getByLabel('Email').fill(user.email)
  await page.getByRole('button', { name: 'Send reset link' }).click()
  const mail = await site.ctx.inbox.waitFor((m) => m.to.includes(user.email) && /Reset/.test(m.subject))
  site.ctx.secrets.add(mail.token!)
  site.ctx.clock.advance(HOUR + 1000)
  await page.goto(mail.link!)
  await page.getByText('This reset link has expired').waitFor()

  await page.goto(`${mail.link!.slice(0, -4)}AAAA`)
  await page.getByText('This reset link is not valid').waitFor()

  await page.goto('/reset-password')
  await page.getByText('This page needs the link from your password reset email').waitFor()
  t.same(problems, [], 'no page logged an error')
})

t.test('a verification link works once; opened again it says so and offers to resend', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  const mail = await site.ctx.inbox.waitFor((m) => m.to.includes(user.email) && /Confirm/.test(m.subject))
  site.ctx.secrets.add(mail.token!)
  const { page, problems } = await openPage(browser, site.baseUrl)

  await page.goto(mail.link!)
  await page.getByText(`${user.email} is verified`).waitFor()
  await page.goto(mail.link!)
  await page.getByText('This verification link has already been used').waitFor()
  t.same(await seriousAccessibilityViolations(page), [], 'verify page: no serious accessibility findings')

  site.ctx.clock.advance(3 * 60_000)
  await page.getByLabel('Email').fill(user.email)
  await page.getByRole('button', { name: 'Resend verification email' }).click()
  await page.getByText('a verification email is on its way').waitFor()
  t.same(problems, [], 'no page logged an error')
})
