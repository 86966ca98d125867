import type { Page } from 'playwright-core'

/** The dashboard has rendered: the loading line is gone and the sections are shown. */
export async function dashboardShown(page: Page): Promise<void> {
  await page.locator('#dashboard').waitFor({ state: 'visible' })
  await page.locator('#dashboard-loading').waitFor({ state: 'hidden' })
}

/** Waits for `step`; when it fails, the error says what the page showed at that moment. */
export async function showingPage<T>(page: Page, step: Promise<T>): Promise<T> {
  try {
    return await step
  } catch (error) {
    const shown = await page.locator('main').innerText().catch(() => '(no page)')
    throw new Error(`${(error as Error).message.split('\n')[0]} — the page at ${page.url()} showed: ${shown.replace(/\s+/g, ' ').slice(0, 600)}`)
  }
}

/** Logs in through the login page as a person does, and waits for the dashboard. */
export async function logInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await showingPage(page, page.waitForURL('**/dashboard'))
  await showingPage(page, dashboardShown(page))
}

/** The text of the login page's notice (why it was opened). */
export async function loginNotice(page: Page): Promise<string> {
  await page.waitForURL('**/login?reason=*')
  const notice = page.locator('#login-reason')
  await notice.waitFor()
  return (await notice.textContent()) ?? ''
}
