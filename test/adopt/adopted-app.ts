import type { Test } from 'tap'
import { adoptDatabase, type AdoptionOutcome } from '../../src/services/adoption/adopt.js'
import { parseAdoptionArgs } from '../../src/services/adoption/options.js'
import { progressLines } from '../../src/services/adoption/progress.js'
import { formatReport } from '../../src/services/adoption/report.js'
import { LEGACY_KEYS, LEGACY_PASSWORDS, LEGACY_TOKENS } from '../fixtures/legacy/accounts.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { build, TestClock } from '../helper.js'
import { vicSite } from '../weather/bom-site.js'
import { rowCounts } from './database-text.js'
import { legacyDatabase, type ScratchDatabase } from './legacy-database.js'
import { DAVE_KEYS, fillOldServiceRows, NOW } from './old-service-rows.js'

export const TABLES = ['users', 'api_keys', 'usage', 'monthly_usage']

/** Every secret of the old database: none may be left in it afterwards, or appear in any output. */
export const OLD_SECRETS = [
  ...Object.values(LEGACY_KEYS),
  ...DAVE_KEYS,
  ...Object.values(LEGACY_TOKENS),
  ...Object.values(LEGACY_PASSWORDS).flatMap((p) => [p.password, p.hash]),
]

/** Runs the adoption in-process, as the script does, keeping the report and the progress lines. */
export async function adopt(database: ScratchDatabase, args: string[] = []): Promise<{ outcome: AdoptionOutcome; report: string; progress: string[] }> {
  const progress: string[] = []
  const outcome = await adoptDatabase(database.db, parseAdoptionArgs(args), { now: NOW, progress: progressLines((line) => progress.push(line)) })
  return { outcome, report: formatReport(outcome), progress }
}

/**
 * The representative old database, adopted, and the app built on it with the clock at NOW and
 * the fixture BOM site upstream.
 */
export async function adoptedApp(t: Test) {
  const database = await legacyDatabase(t)
  await fillOldServiceRows(database)
  const before = await rowCounts(database, TABLES)
  const adoption = await adopt(database)
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const ctx = await build(t, { database: database.target, clock: new TestClock(NOW), env: { BOM_BASE_URL: bom.baseUrl } })
  for (const secret of OLD_SECRETS) ctx.secrets.add(secret)
  return { database, before, adoption, ctx }
}
