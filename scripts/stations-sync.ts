/**
 * `npm run stations:sync [-- VIC NSW …]`: reads the station catalogue of each state (all eight
 * by default) from BOM_BASE_URL into the database, printing progress as it goes.
 */
import { resolveState, states } from '../src/domain/states.js'
import { counted } from '../src/text/plural.js'
import { openScriptContext } from './context.js'

const requested = process.argv.slice(2)
const chosen = requested.length === 0 ? states : requested.map((arg) => resolveState(arg) ?? (console.error(`unknown state: ${arg}`), process.exit(2)))

const ctx = await openScriptContext()
let failures = 0
let total = 0
for (const [index, state] of chosen.entries()) {
  const started = Date.now()
  process.stdout.write(`[${index + 1}/${chosen.length}] ${state.code} (${state.name}) … `)
  try {
    const count = await ctx.stationCatalogue.sync(state.code)
    total += count
    console.log(`${counted(count, 'station')} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } catch (error) {
    failures += 1
    console.log(`failed: ${(error as Error).message}`)
  }
}
console.log(`${counted(total, 'station')} synced from ${ctx.config.bomBaseUrl}; ${counted(failures, 'state')} failed`)
await ctx.close()
process.exit(failures > 0 ? 1 : 0)
