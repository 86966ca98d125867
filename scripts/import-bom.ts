/**
 * `npm run import:bom -- FILE.csv --station IDCJDWnnnn [--name "Station name" --state VIC]`:
 * loads a downloaded monthly CSV into the store, for deployments without upstream access. The
 * station must be in the catalogue, or be named with --name and --state.
 */
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { stations } from '../src/db/schema/index.js'
import { resolveState } from '../src/domain/states.js'
import { parseMonthlyCsv } from '../src/services/bom/csv.js'
import { isPageId } from '../src/services/bom/urls.js'
import { counted } from '../src/text/plural.js'
import { openScriptContext } from './context.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { station: { type: 'string' }, name: { type: 'string' }, state: { type: 'string' } },
})

function usage(message: string): never {
  console.error(`${message}\nusage: npm run import:bom -- FILE.csv --station IDCJDWnnnn [--name NAME --state STATE]`)
  process.exit(2)
}

const file = positionals[0] ?? usage('no CSV file given')
const pageId = values.station ?? usage('--station is required')
if (!isPageId(pageId)) usage(`--station must look like IDCJDW3050, not ${pageId}`)
if (!existsSync(file)) usage(`${file}: no such file`)
const { records } = parseMonthlyCsv(readFileSync(file))
if (records.length === 0) usage(`${file} holds no observations`)

const ctx = await openScriptContext()
try {
  if (!(await ctx.stationCatalogue.byPageId(pageId))) {
    const state = values.state ? resolveState(values.state) : undefined
    if (!values.name || !state) usage(`${pageId} is not in the catalogue: give --name and --state, or run npm run stations:sync first`)
    await ctx.database.db.insert(stations).values({ pageId, name: values.name, state: state.code })
  }
  const months = [...new Set(records.map((r) => r.date.slice(0, 7)))].sort()
  for (const month of months) {
    const stored = await ctx.observationStore.storeMonth(pageId, month, records)
    console.log(`${pageId} ${month}: ${counted(stored, 'day')} stored`)
  }
} finally {
  await ctx.close()
}
