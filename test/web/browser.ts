import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { TestLike } from '../helper.js'

/** Debian's Chromium by default; `CHROMIUM_PATH` names another. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots')
export const DESKTOP = { width: 1280, height: 900 }
export const PHONE = { width: 360, height: 780 }

/** Flags that keep a headless Chromium from reaching out to the network on its own. */
const QUIET_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** One browser per test file; a browser that cannot start fails the file, with what to do. */
export async function launchBrowser(t: TestLike): Promise<Browser> {
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: QUIET_FLAGS })
  } catch (error) {
    throw new Error(`Chromium could not start from ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH. ${(error as Error).message}`)
  }
  t.teardown(() => browser.close())
  return browser
}

export interface OpenedPage {
  context: BrowserContext
  page: Page
  /** What the page logged as an error (CSP refusals, uncaught exceptions), beyond failed requests. */
  problems: string[]
}

/** A fresh browser profile (no cookies, no cache) with one page, its errors collected. */
export async function openPage(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<OpenedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, permissions: ['clipboard-read', 'clipboard-write'] })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  page.on('console', (message) => {
    // The browser logs each 4xx/5xx answer; the pages handle those, and the tests check how.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text())
  })
  return { context, page, problems }
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[] }[]
}

/** Runs an expression in the page; written as text, since tests compile without the DOM's types. */
export async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP does not stand in its way.
  await page.evaluate(axeSource)
  // Written as text: the test code is compiled without the browser's types.
  const violations = await inPage<AxeViolation[]>(page, 'axe.run(document).then((result) => result.violations)')
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

/** Saves a full-page screenshot under test-output/screenshots (git-ignored), per database. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const database = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'
  const path = join(SCREENSHOT_DIR, `${name}-${database}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** True when the page is wider than its viewport: something does not fit a phone. */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return inPage<boolean>(page, 'document.documentElement.scrollWidth > window.innerWidth + 1')
}
