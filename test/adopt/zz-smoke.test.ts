import t from 'tap'
import { adoptDatabase } from '../../src/services/adoption/adopt.js'
import { parseAdoptionArgs } from '../../src/services/adoption/options.js'
import { progressLines } from '../../src/services/adoption/progress.js'
import { formatReport } from '../../src/services/adoption/report.js'
import { legacyDatabase } from './legacy-database.js'
import { fillOldServiceRows, NOW } from './old-service-rows.js'
t.test('smoke', async (t) => {
  const db = await legacyDatabase(t)
  await fillOldServiceRows(db)
  for (const args of [['--dry-run'], []]) {
    const outcome = await adoptDatabase(db.db, parseAdoptionArgs(args), { now: NOW, progress: progressLines((l) => console.error(l)) })
    console.log(formatReport(outcome))
  }
  t.pass()
})
