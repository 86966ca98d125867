import t from 'tap'
import { LEGACY_PASSWORDS } from '../fixtures/legacy/accounts.js'
import { startBomServer } from '../fixtures/bom/server.js'
import { build, json, login, TestClock } from '../helper.js'
import { vicSite } from '../weather/bom-site.js'
import { weather } from '../weather/setup.js'
import { adopt } from './adopted-app.js'
import { fillConflictingRows, RESOLVING_OPTIONS, SHARED_KEY } from './conflicting-rows.js'
import { legacyDatabase, type ScratchDatabase } from './legacy-database.js'
import { NOW } from './old-service-rows.js'
import { pgDump, snapshot } from './snapshot.js'

/** Each conflict of the fixture as the report lists it: table, rows, and the option that resolves it. */
const EXPECTED = [
  ['users 1, 2: emails "Ann@Example.com", "ann@example.com" are one address here', '--keep-email ann@example.com=ID'],
  ['users 3: email "not-an-email" is not an address this service accepts', '--set-email 3=ADDRESS'],
  ['users 4: tier "premium" is not a tier here', '--map-tier premium=TIER'],
  ['users 5: has no tier', '--set-tier 5=TIER'],
  ['users 6: has no full name', '--fill-missing'],
  ['api_keys 1, 2: keys 1, 2 are the same key', '--retire-key ID'],
  ['api_keys 3: the key is not of a shape this service accepts', '--retire-key 3'],
  ['usage 2: belongs to account 99, which does not exist', '--drop-orphans'],
  ['usage 3: names key 77, which does not exist', '--detach-orphan-usage'],
  ['usage 4: date_from "yesterday" is not a calendar date', '--clear-invalid-dates'],
  ['usage 5: has no response time', '--fill-missing'],
  ['monthly_usage 2: belongs to account 99, which does not exist', '--drop-orphans'],
]

async function conflicting(t: Parameters<typeof legacyDatabase>[0]) {
  const database = await legacyDatabase(t)
  await fillConflictingRows(database)
  return database
}

/** Both comparisons where they exist: the SQL snapshot everywhere, pg_dump on PostgreSQL too. */
async function state(database: ScratchDatabase) {
  return { snapshot: await snapshot(database), dump: database.target.url ? await pgDump(database.target.url) : 'no pg_dump for PGlite' }
}

t.test('a database with rows that cannot come across: the adoption stops and changes nothing', async (t) => {
  const database = await conflicting(t)
  const before = await state(database)
  t.match(before.snapshot, /Ann@Example\.com/, 'the snapshot holds the rows')
  if (database.target.url) t.match(before.dump, /Ann@Example\.com|pg_dump is not installed/, 'and so does the dump')

  const dry = await adopt(database, ['--dry-run'])
  t.equal(dry.outcome.kind, 'dry-run')
  const real = await adopt(database)
  t.equal(real.outcome.kind, 'stopped', real.report)
  for (const { report, name } of [{ report: dry.report, name: 'dry run' }, { report: real.report, name: 'real run' }]) {
    for (const [problem, resolve] of EXPECTED) {
      const at = report.indexOf(problem!)
      t.ok(at >= 0, `${name} lists: ${problem}`)
      t.ok(report.slice(at).split('\n')[1]?.includes(resolve!), `${name}: ${problem} is resolved by ${resolve}`)
    }
  }
  t.match(real.report, /Nothing was changed; the old service can go on using it/)
  t.same(await state(database), before, 'byte for byte as it was (catalog, sequences, every row; pg_dump on PostgreSQL)')
  t.notOk(real.progress.some((line) => line.startsWith('usage:')), 'no row was copied')
})

t.test('options that resolve some conflicts leave the others in the way; an option that matches nothing stops the run', async (t) => {
  const database = await conflicting(t)
  const before = await state(database)
  const partial = await adopt(database, ['--keep-email', 'ann@example.com=2', '--drop-orphans'])
  t.equal(partial.outcome.kind, 'stopped')
  t.notMatch(partial.report, /are one address here/, 'the shared address is resolved')
  t.notMatch(partial.report, /account 99, which does not exist/, 'the orphans are resolved')
  t.match(partial.report, /users 3: email "not-an-email"/, 'the rest still stop it')

  const othersResolved = RESOLVING_OPTIONS.filter((option, i, all) => option !== '--keep-email' && all[i - 1] !== '--keep-email')
  const typo = await adopt(database, [...othersResolved, '--keep-email', 'ann@example.com=7', '--set-tier', '42=pro', '--retire-key', '9'])
  t.equal(typo.outcome.kind, 'stopped', typo.report)
  t.match(typo.report, /--keep-email ann@example\.com=7: account 7 does not hold that address \(1, 2 do\)/)
  t.match(typo.report, /--set-tier 42=…: there is no account 42/)
  t.match(typo.report, /--retire-key 9: there is no key 9/)
  t.same(await state(database), before, 'still as it was')
})

t.test('the operator options resolve the conflicts they name', async (t) => {
  const database = await conflicting(t)
  const { outcome, report } = await adopt(database, RESOLVING_OPTIONS)
  t.equal(outcome.kind, 'adopted', report)
  t.same(await database.rows(`select id, email, tier, full_name from users order by id`), [
    { id: 1, email: 'ann@example.com.duplicate-1.invalid', tier: 'free', full_name: 'Ann (first account)' },
    { id: 2, email: 'ann@example.com', tier: 'pro', full_name: 'Ann (second account)' },
    { id: 3, email: 'carl@example.com', tier: 'free', full_name: 'Carl' },
    { id: 4, email: 'dan@example.com', tier: 'pro', full_name: 'Dan' },
    { id: 5, email: 'eve@example.com', tier: 'enterprise', full_name: 'Eve' },
    { id: 6, email: 'fay@example.com', tier: 'free', full_name: '' },
  ], '--keep-email, --set-email, --map-tier, --set-tier and --fill-missing')
  t.match(report, /account 1 logs in as ann@example\.com\.duplicate-1\.invalid \(account 2 keeps ann@example\.com\)/)
  t.same(await database.rows(`select id, is_active, deleted_at is not null as revoked from api_keys order by id`), [
    { id: 1, is_active: true, revoked: false },
    { id: 2, is_active: false, revoked: true },
    { id: 3, is_active: false, revoked: true },
  ], '--retire-key keeps the rows, revoked')
  t.same(await database.rows(`select id, api_key_id, date_from::text, response_time_ms from usage order by id`), [
    { id: 1, api_key_id: 1, date_from: '2025-10-01', response_time_ms: 50 },
    { id: 3, api_key_id: null, date_from: '2025-10-01', response_time_ms: 50 },
    { id: 4, api_key_id: null, date_from: null, response_time_ms: 50 },
    { id: 5, api_key_id: 1, date_from: '2025-10-01', response_time_ms: 0 },
  ], '--drop-orphans, --detach-orphan-usage, --clear-invalid-dates and --fill-missing')
  t.same(await database.rows(`select user_id, month from monthly_usage`), [{ user_id: 1, month: '2025-10' }], 'the orphan month is left behind')

  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const ctx = await build(t, { database: database.target, clock: new TestClock(NOW), env: { BOM_BASE_URL: bom.baseUrl } })
  ctx.secrets.add(SHARED_KEY)
  for (const email of ['ann@example.com', 'ann@example.com.duplicate-1.invalid']) {
    const response = await login(ctx, email, LEGACY_PASSWORDS.alice.password)
    t.equal(response.statusCode, 200, email)
  }
  t.equal(json(await login(ctx, 'ann@example.com', LEGACY_PASSWORDS.alice.password)).user.id, 2, 'the address logs in to the account that kept it')
  const shared = await weather(ctx, SHARED_KEY, 'location=Melbourne&state=VIC&date_from=2025-10-01')
  t.equal(shared.statusCode, 200, 'the shared key works, as key 1')
  await ctx.app.metering.recorder.drain()
  t.same(await database.rows(`select api_key_id from usage where id > 5`), [{ api_key_id: 1 }], 'and its request is counted for key 1')
})
