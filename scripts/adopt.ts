/**
 * `npm run db:adopt [-- --dry-run] [options]`: takes over a database of the previous (Flask)
 * service in place: DATABASE_URL, or the embedded database under DATA_DIR when it is unset.
 * The report goes to stdout, progress to stderr. Exits 0 when the database is ours afterwards
 * (or was already, or is empty) and after a dry run that found nothing in the way; 1 when the
 * adoption stopped, refused or failed (nothing changed); 2 on a usage error. See README.md.
 */
import { loadConfig } from '../src/config.js'
import { embeddedDatabase, openPglite, openPostgres, type DatabaseHandle } from '../src/db/client.js'
import { adoptDatabase } from '../src/services/adoption/adopt.js'
import { explainFailure } from '../src/services/adoption/failure.js'
import { parseAdoptionArgs, USAGE, UsageError } from '../src/services/adoption/options.js'
import { progressLines } from '../src/services/adoption/progress.js'
import { formatReport } from '../src/services/adoption/report.js'

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
let options
try {
  options = parseAdoptionArgs(args)
} catch (error) {
  if (error instanceof UsageError) fail(`error: ${error.message}\n\n${USAGE}`, 2)
  throw error
}

let database: DatabaseHandle
try {
  const config = loadConfig()
  database = config.databaseUrl
    ? openPostgres({ url: config.databaseUrl, poolSize: 1, connectTimeoutSeconds: config.databaseConnectTimeoutSeconds, statementTimeoutMs: config.databaseStatementTimeoutMs })
    : openPglite(embeddedDatabase(config.dataDir))
} catch (error) {
  fail(`error: ${(error as Error).message}`, 2)
}

let exitCode = 1
try {
  const outcome = await adoptDatabase(database.db, options, {
    now: new Date(),
    progress: progressLines((line) => process.stderr.write(`${line}\n`)),
  })
  process.stdout.write(`${formatReport(outcome)}\n`)
  const blocked = outcome.kind === 'dry-run' && (outcome.review.conflicts.length > 0 || outcome.review.optionProblems.length > 0)
  exitCode = ['adopted', 'ours', 'empty', 'dry-run'].includes(outcome.kind) && !blocked ? 0 : 1
} catch (error) {
  process.stderr.write(`error: ${explainFailure(error)}\n`)
} finally {
  await database.close().catch(() => {})
}
process.exit(exitCode)
