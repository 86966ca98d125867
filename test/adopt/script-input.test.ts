import t from 'tap'
import { dataDir, noStackTrace, runAdopt } from './run-script.js'

t.test('bad input: a clear message and a non-zero exit, never a stack trace', async (t) => {
  const env = { DATA_DIR: dataDir(t) }
  const cases: [string[], RegExp][] = [
    [['--bogus'], /^error: Unknown option '--bogus'/],
    [['--keep-email', 'nobody'], /^error: --keep-email takes ADDRESS=ID, not "nobody"/],
    [['--keep-email', 'ann@example.com=first'], /^error: --keep-email: "first" is not a row id/],
    [['--set-email', '3=not an address'], /^error: --set-email: "not an address" is not an email address this service accepts/],
    [['--set-tier', '3=gold'], /^error: --set-tier: "gold" is not a tier \(free, pro, enterprise\)/],
    [['--dry-run', 'extra'], /^error: Unexpected argument 'extra'/],
  ]
  for (const [args, message] of cases) {
    const run = await runAdopt(args, env)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, message)
    t.match(run.stderr, /usage: npm run db:adopt/)
    t.ok(noStackTrace(run.stderr), 'no stack trace')
  }
  const unreachable = await runAdopt([], { ...env, DATABASE_URL: 'postgres://postgres:secret-password@127.0.0.1:1/nowhere', DATABASE_CONNECT_TIMEOUT_S: '2' })
  t.equal(unreachable.code, 1)
  t.match(unreachable.stderr, /^error: cannot reach the database \(.+\)\. Nothing was changed\./)
  t.notMatch(unreachable.stderr + unreachable.stdout, /secret-password/, 'the URL\'s password is not echoed')
  t.ok(noStackTrace(unreachable.stderr))
  const badUrl = await runAdopt([], { ...env, DATABASE_URL: 'mysql://somewhere' })
  t.equal(badUrl.code, 2)
  t.match(badUrl.stderr, /^error: Invalid configuration: .*DATABASE_URL/)
})

