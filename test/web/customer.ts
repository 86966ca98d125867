import { createUser, type BuildOptions, type TestLike, type TestUser } from '../helper.js'
import { logInThroughPage } from './actions.js'
import { launchBrowser, openPage } from './browser.js'
import { startSite, type Site } from './site.js'

export interface CustomerOptions {
  build?: BuildOptions
  /** Log in through the login page first (default true). */
  loggedIn?: boolean
  /** Runs once the user exists, before the browser opens a page (seed rows, change a tier). */
  prepare?: (site: Site, user: TestUser) => Promise<void>
}

/** The scene most page tests start from: the service, a browser, a signed-up customer at a page. */
export async function customerInBrowser(t: TestLike, options: CustomerOptions = {}) {
  const site = await startSite(t, options.build)
  const browser = await launchBrowser(t)
  const user = await createUser(site.ctx)
  await options.prepare?.(site, user)
  const { page, problems } = await openPage(browser, site.baseUrl)
  if (options.loggedIn ?? true) await logInThroughPage(page, user.email, user.password)
  return { site, browser, user, page, problems }
}
