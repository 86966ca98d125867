import t from 'tap'
import postgres from 'postgres'
import { migrateWithin } from '../../src/db/migrate.js'
import { adoptDatabase } from '../../src/services/adoption/adopt.js'
import { parseAdoptionArgs } from '../../src/services/adoption/options.js'
import { explainFailure } from '../../src/services/adoption/failure.js'
import { progressLines, silentProgress } from '../../src/services/adoption/progress.js'
import { testDatabaseUrl } from '../setup/databases.js'
import { adopt } from './adopted-app.js'
import { legacyDatabase, scratchDatabase } from './legacy-database.js'
import { fillOldServiceRows, NOW } from './old-service-rows.js'
import { snapshot } from './snapshot.js'

t.test('a dry run changes nothing and says what the run will do, with the counts per table', async (t) => {
  const database = await legacyDatabase(t)
  await fillOldServiceRows(database)
  const before = await snapshot(database)
  const { outcome, report } = await adopt(database, ['--dry-run'])
  t.equal(outcome.kind, 'dry-run')
  t.same(await snapshot(database), before, 'nothing changed')
  t.match(report, /users +4 +4\n +api_keys +17 +17\n +usage +121 +121\n +monthly_usage +6 +6/, 'rows per table')
  t.match(report, /apply the \d+ migrations in drizzle\//)
  t.match(report, /2 keys had no key_hash/)
  t.match(report, /1 key had a key_hash that did not match key_value/)
  t.match(report, /this month \(2025-11\): 3 accounts start with the 108 requests the old service counted/)
})

t.test('running it twice: the second run is a no-op that says so', async (t) => {
  const database = await legacyDatabase(t)
  await fillOldServiceRows(database)
  t.equal((await adopt(database)).outcome.kind, 'adopted')
  const after = await snapshot(database)
  const again = await adopt(database)
  t.equal(again.outcome.kind, 'ours')
  t.match(again.report, /already this service's database \((\d+) of \1 migrations applied\): nothing to adopt, nothing changed/)
  t.same(await snapshot(database), after, 'nothing changed')
  t.equal((await adopt(database, ['--dry-run'])).outcome.kind, 'ours', 'a dry run says the same')
})

t.test('an empty database: nothing to adopt, nothing changed', async (t) => {
  const database = await scratchDatabase(t)
  const before = await snapshot(database)
  const { outcome, report } = await adopt(database)
  t.equal(outcome.kind, 'empty')
  t.match(report, /empty: there is nothing to adopt/)
  t.same(await snapshot(database), before)
})

t.test('a database of this service, migrated: a no-op', async (t) => {
  const database = await scratchDatabase(t)
  await database.db.transaction((tx) => migrateWithin(tx))
  const before = await snapshot(database)
  t.equal((await adopt(database)).outcome.kind, 'ours')
  t.same(await snapshot(database), before)
})

t.test('a database that is neither empty, ours nor the old one is refused, naming why', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['another application', 'create table customers (id serial primary key, name text)', /tables the old service did not have: customers/],
    ['the old tables plus one', 'CREATE_LEGACY; create table invoices (id serial primary key)', /tables the old service did not have: invoices/],
    ['an old table with a column more', 'CREATE_LEGACY; alter table users add column company text', /users\.company is a column the old service did not have/],
    ['an old table with a column less', 'CREATE_LEGACY; alter table api_keys drop column key_hash', /api_keys\.key_hash is missing/],
    ['an old column of another type', 'CREATE_LEGACY; alter table usage alter column "timestamp" type timestamptz', /usage\.timestamp is timestamp with time zone, not timestamp without time zone/],
    ['a view beside the old tables', 'CREATE_LEGACY; create view active_users as select * from users where is_active', /other relations .*: active_users/],
    ['a leftover schema', 'CREATE_LEGACY; create schema flask_legacy', /a schema named flask_legacy exists already/],
  ]
  for (const [name, statements, reason] of cases) {
    await t.test(name, async (t) => {
      const database = statements.startsWith('CREATE_LEGACY') ? await legacyDatabase(t) : await scratchDatabase(t)
      await database.exec(statements.replace('CREATE_LEGACY;', ''))
      const before = await snapshot(database)
      for (const args of [[], ['--dry-run']]) {
        const { outcome, report } = await adopt(database, args)
        t.equal(outcome.kind, 'unknown', `${args.join(' ') || 'real run'}: refused`)
        t.match(report, /^Refused: this database is neither empty, this service's, nor the previous service's\. Nothing was changed\./)
        t.match(report, reason)
      }
      t.same(await snapshot(database), before, 'nothing changed')
    })
  }
})

t.test('a failure half-way rolls everything back: the old service finds its database as it left it', async (t) => {
  const database = await legacyDatabase(t)
  await fillOldServiceRows(database)
  const before = await snapshot(database)
  const steps: string[] = []
  const progress = {
    step: (message: string) => void steps.push(message),
    rows: (_table: string, done: number) => {
      if (done > 0) throw new Error('the disk is full')
    },
  }
  await t.rejects(adoptDatabase(database.db, parseAdoptionArgs([]), { now: NOW, progress }), /the disk is full/)
  t.ok(steps.some((s) => s.startsWith('api_keys:')), 'it failed after copying accounts and keys and the first usage batch')
  t.same(await snapshot(database), before, 'every change is undone: old tables in public, no tables of ours, no migrations recorded')
  t.equal((await database.rows<{ n: number }>('select count(*)::int as n from public.api_keys where key_value is not null'))[0]?.n, 17, 'the old service\'s keys are there')
})

t.test('usage is copied in batches with a progress line each, ids kept across the gaps', async (t) => {
  const database = await legacyDatabase(t)
  await fillOldServiceRows(database)
  await database.exec(`delete from usage where id between 40 and 69; update usage set id = id + 100000 where id > 110`)
  const ids = await database.rows<{ id: number }>('select id from usage order by id')
  const lines: string[] = []
  const outcome = await adoptDatabase(database.db, parseAdoptionArgs([]), { now: NOW, progress: progressLines((line) => lines.push(line)), usageBatchRows: 40 })
  t.equal(outcome.kind, 'adopted')
  t.same(lines.filter((l) => l.startsWith('usage:')).map((l) => l.replace(/, [\d,]+ rows\/s$/, '')), [
    'usage: 0 / 91 rows (0.0 %)',
    'usage: 40 / 91 rows (44.0 %)',
    'usage: 80 / 91 rows (87.9 %)',
    'usage: 91 / 91 rows (100.0 %)',
  ])
  t.same(await database.rows<{ id: number }>('select id from usage order by id'), ids, 'every row, with its id')
})

// Only a server has a second session to hold the old tables (the embedded database has one).
if (testDatabaseUrl) {
  t.test('the old service still holding its tables: the adoption gives up, changes nothing, and says why', async (t) => {
    const database = await legacyDatabase(t)
    await fillOldServiceRows(database)
    const before = await snapshot(database)
    const oldService = postgres(database.target.url!, { max: 1, onnotice: () => {} })
    t.teardown(() => oldService.end())
    let release!: () => void
    const holding = oldService.begin(async (tx) => {
      // The lock a request of the old service holds while it writes its usage row.
      await tx`lock table usage in row exclusive mode`
      await new Promise<void>((resolve) => (release = resolve))
      throw new Error('the old service gives its request up')
    }).catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 200))
    const error = await adoptDatabase(database.db, parseAdoptionArgs([]), { now: NOW, progress: silentProgress, lockTimeoutMs: 300 }).catch((e: unknown) => e)
    release()
    await holding
    t.match(explainFailure(error), /^the old tables are in use \(is the old service still running\?\): stop it, then run the adoption again\. Nothing was changed\./)
    t.same(await snapshot(database), before)
  })
}
