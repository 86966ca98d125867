import t from 'tap'
import { OLD_SECRETS } from './adopted-app.js'
import { fillConflictingRows } from './conflicting-rows.js'
import { fillOldServiceRows } from './old-service-rows.js'
import { noStackTrace, oldDatabase, runAdopt, runMigrate } from './run-script.js'
import { snapshot } from './snapshot.js'

t.test('npm run db:adopt: dry run, run, run again, then db:migrate', async (t) => {
  const { database, env } = await oldDatabase(t, fillOldServiceRows)
  await database.release()

  const dry = await runAdopt(['--dry-run'], env)
  t.equal(dry.code, 0, dry.stderr)
  t.match(dry.stdout, /^Dry run: the database holds the previous service's tables\. Nothing was changed\./)

  const run = await runAdopt([], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /^Adopted in \d+\.\d s: the database is this service's now/)
  t.match(run.stderr, /applying the \d+ migrations in drizzle\//, 'steps on stderr')
  t.match(run.stderr, /usage: 121 \/ 121 rows \(100\.0 %\)/, 'progress on the usage table')

  const again = await runAdopt([], env)
  t.equal(again.code, 0)
  t.match(again.stdout, /already this service's database .*nothing to adopt, nothing changed/)
  t.equal(await runMigrate(env), 0, 'npm run db:migrate works on it as on any database of ours')

  for (const output of [dry, run, again]) {
    for (const secret of OLD_SECRETS) t.notOk(output.stdout.includes(secret) || output.stderr.includes(secret), `${secret.slice(0, 6)}… is not in the output`)
  }
})

t.test('npm run db:adopt on a database with conflicts: exit 1, the report, nothing changed', async (t) => {
  const { database, env } = await oldDatabase(t, fillConflictingRows)
  const before = await snapshot(database)
  await database.release()
  for (const args of [['--dry-run'], []]) {
    const run = await runAdopt(args, env)
    t.equal(run.code, 1, args.join(' ') || 'real run')
    t.match(run.stdout, /Rows that cannot come across as they are \(14\):/)
    t.ok(noStackTrace(run.stdout + run.stderr))
  }
  t.same(await snapshot(database), before, 'nothing changed')
})
