import { createServer } from 'node:net'
import { startBomServer } from '../fixtures/bom/server.js'
import { build, TestClock, type BuildOptions } from '../helper.js'
import { listenOnFreePort } from '../helpers/ports.js'
import { vicSite } from '../weather/bom-site.js'

/** A free port below the ephemeral range, found by listening on it once. */
async function freePort(): Promise<number> {
  const probe = createServer()
  const port = await listenOnFreePort(probe)
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/**
 * The real service listening on loopback, with its own database and SMTP inbox, reading the
 * fixture BOM site: what a browser test drives. APP_URL is the listening origin, so the links in
 * captured emails open these very pages.
 */
export async function startSite(t: Parameters<typeof build>[0], options: BuildOptions = {}) {
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const baseUrl = `http://127.0.0.1:${port}`
    const ctx = await build(t, {
      clock: new TestClock(),
      ...options,
      env: { APP_URL: baseUrl, BOM_BASE_URL: bom.baseUrl, ...options.env },
    })
    try {
      await ctx.app.listen({ port, host: '127.0.0.1' })
      return { ctx, bom, baseUrl }
    } catch (error) {
      // Taken between the probe and the listen: another port, another app.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error
    }
  }
}

export type Site = Awaited<ReturnType<typeof startSite>>

/** Calls the metered weather route over HTTP with a key, as a customer's script would. */
export async function callWeather(site: Site, key: string, query: string) {
  const response = await fetch(`${site.baseUrl}/api/weather/location?${query}`, { headers: { 'x-api-key': key } })
  return { status: response.status, body: (await response.json()) as any }
}

export const OCTOBER_WEEK = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07'
