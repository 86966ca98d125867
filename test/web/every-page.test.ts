import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Browser } from 'playwright-core'
import { createUser, type TestUser } from '../helper.js'
import { dashboardShown, logInThroughPage } from './actions.js'
import { DESKTOP, launchBrowser, openPage, overflowsHorizontally, PHONE, screenshot, seriousAccessibilityViolations } from './browser.js'
import { startSite, type Site } from './site.js'

/** Each page in the state a person first sees it, named for its screenshot. */
async function emailedLink(site: Site, user: TestUser, subject: RegExp): Promise<string> {
  const mail = await site.ctx.inbox.waitFor((m) => m.to.includes(user.email) && subject.test(m.subject))
  site.ctx.secrets.add(mail.token!)
  return mail.link!
}

t.test('every page: readable on a phone and a large screen, no serious accessibility finding', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  const verifyLink = await emailedLink(site, user, /Confirm/)
  await fetch(`${site.baseUrl}/api/auth/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email }) })
  const resetLink = await emailedLink(site, user, /Reset/)

  const pages: [string, string, string][] = [
    ['home', '/', 'Prices'],
    ['signup', '/signup', 'Create your account'],
    ['login', '/login?reason=session-ended', 'Your session has ended'],
    ['forgot-password', '/forgot-password', 'Reset your password'],
    ['reset-password', resetLink, 'This link works until'],
    ['verify-email-used', '/verify-email?token=no-such-token', 'This verification link is not valid'],
    ['verify-email', verifyLink, 'is verified'],
  ]
  for (const [viewportName, viewport] of [['desktop', DESKTOP], ['360', PHONE]] as const) {
    const { page, problems } = await openPage(browser, site.baseUrl, viewport)
    for (const [name, path, shows] of pages) {
      // A token page uses its token on open: the verification link is opened on the last pass only.
      if (name === 'verify-email' && viewportName === 'desktop') continue
      await page.goto(path)
      await page.getByText(shows).first().waitFor()
      t.same(await seriousAccessibilityViolations(page), [], `${name} (${viewportName}): no serious or critical axe finding`)
      t.notOk(await overflowsHorizontally(page), `${name} (${viewportName}): nothing wider than the screen`)
      await screenshot(page, `${name}-${viewportName}`)
    }
    await logInThroughPage(page, user.email, user.password)
    t.same(await seriousAccessibilityViolations(page), [], `dashboard (${viewportName}): no serious or critical axe finding`)
    t.notOk(await overflowsHorizontally(page), `dashboard (${viewportName}): nothing wider than the screen`)
    await screenshot(page, `dashboard-empty-${viewportName}`)
    t.same(problems, [], `no page logged an error (${viewportName})`)
    await page.context().close()
  }
})

/** Bytes on the wire for one response: headers and (compressed) body. */
async function transferred(browser: Browser, site: Site, user: TestUser) {
  const context = await browser.newContext({ baseURL: site.baseUrl, viewport: DESKTOP })
  // Logged in through the API, so that nothing of the pages is cached before /dashboard.
  const login = await context.request.post('/api/auth/login', { headers: { 'x-refresh-cookie': '1' }, data: { email: user.email, password: user.password } })
  if (!login.ok()) throw new Error(`login failed: ${login.status()}`)
  const page = await context.newPage()
  const sizes: Promise<{ url: string; bytes: number }>[] = []
  page.on('requestfinished', (request) => {
    sizes.push(request.sizes().then((s) => ({ url: request.url(), bytes: s.responseHeadersSize + s.responseBodySize })))
  })
  await page.goto('/dashboard')
  await dashboardShown(page)
  await page.waitForLoadState('networkidle')
  const all = await Promise.all(sizes)
  await context.close()
  const sum = (list: { bytes: number }[]) => list.reduce((n, s) => n + s.bytes, 0)
  return { total: sum(all), assets: sum(all.filter((s) => !s.url.includes('/api/'))), requests: all.length }
}

t.test('measured: the cold weight of /dashboard and the time from the login click to a rendered dashboard', async (t) => {
  const site = await startSite(t)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  const weight = await transferred(browser, site, user)
  t.ok(weight.assets > 0 && weight.total >= weight.assets, 'the transfer was measured')

  const { page, problems } = await openPage(browser, site.baseUrl)
  const timings: number[] = []
  for (let round = 0; round < 3; round++) {
    await page.goto('/login')
    await page.getByLabel('Email').fill(user.email)
    await page.getByLabel('Password').fill(user.password)
    const started = Date.now()
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL('**/dashboard')
    await dashboardShown(page)
    await page.locator('#key-rows tr').first().waitFor()
    timings.push(Date.now() - started)
  }
  const figures = {
    database: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
    dashboard_cold_kb: Math.round(weight.total / 102.4) / 10,
    dashboard_cold_assets_kb: Math.round(weight.assets / 102.4) / 10,
    dashboard_cold_requests: weight.requests,
    login_to_dashboard_ms: timings,
  }
  t.comment(JSON.stringify(figures))
  mkdirSync(join(process.cwd(), 'test-output'), { recursive: true })
  writeFileSync(join(process.cwd(), 'test-output', `web-figures-${figures.database}.json`), JSON.stringify(figures, null, 2))
  t.same(problems, [], 'no page logged an error')
})
