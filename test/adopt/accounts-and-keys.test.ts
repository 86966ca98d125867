import t from 'tap'
import { eq } from 'drizzle-orm'
import { apiKeys, users } from '../../src/db/schema/index.js'
import { LEGACY_KEYS, LEGACY_PASSWORDS, LEGACY_TOKENS } from '../fixtures/legacy/accounts.js'
import { json, login, request } from '../helper.js'
import { weather } from '../weather/setup.js'
import { adoptedApp, OLD_SECRETS, TABLES } from './adopted-app.js'
import { placesHolding, rowCounts } from './database-text.js'
import { DAVE_KEYS } from './old-service-rows.js'

const MELBOURNE = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-03'

t.test('an adopted database: every account and key comes across and works through the API', async (t) => {
  const { database, before, adoption, ctx } = await adoptedApp(t)
  t.equal(adoption.outcome.kind, 'adopted', adoption.report)
  t.same(await rowCounts(database, TABLES), before, 'every table holds as many rows as the old one did')
  t.same(before, { users: 4, api_keys: 17, usage: 121, monthly_usage: 6 })

  const passwordHash = async (id: number) => (await ctx.app.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id)))[0]?.hash ?? ''

  await t.test('an old password logs in once with its bcrypt hash, which becomes argon2id in that request', async (t) => {
    t.match(await passwordHash(1), /^\$2b\$12\$/, 'the cost-12 bcrypt hash came across as it was')
    const response = await login(ctx, 'alice@example.com', LEGACY_PASSWORDS.alice.password)
    t.equal(response.statusCode, 200, json(response).error)
    const body = json(response)
    t.same({ id: body.user.id, tier: body.user.tier, verified: body.user.email_verified, created: body.user.created_at, last: body.user.last_login },
      { id: 1, tier: 'pro', verified: true, created: '2024-03-01T10:00:00.000Z', last: '2025-11-04T23:00:00.000Z' },
      'same id, tier and verification; the naive creation time is read as UTC; this login is the last one')
    t.match(await passwordHash(1), /^\$argon2id\$v=19\$/, 'the hash is argon2id now')
    t.equal((await login(ctx, 'alice@example.com', LEGACY_PASSWORDS.alice.password)).statusCode, 200, 'and the password still works against it')
  })

  await t.test('an address stored in mixed case logs in however it is typed; verification state and names are kept', async (t) => {
    const response = await login(ctx, '  BOB.smith@example.com ', LEGACY_PASSWORDS.bob.password)
    t.equal(response.statusCode, 200, json(response).error)
    t.same(json(response).user, {
      id: 2, email: 'bob.smith@example.com', full_name: 'Bob Smith', email_verified: false, tier: 'free', role: 'user',
      is_active: true, created_at: '2025-10-20T12:00:00.000Z', last_login: '2025-11-04T23:00:00.000Z',
    })
    t.match(await passwordHash(2), /^\$argon2id\$/)
  })

  await t.test('a deactivated account stays deactivated', async (t) => {
    const response = await login(ctx, 'carol@example.com', LEGACY_PASSWORDS.carol.password)
    t.equal(response.statusCode, 401)
    t.equal(json(response).code, 'ACCOUNT_DISABLED')
  })

  await t.test('old tokens were stored in clear and are not carried over', async (t) => {
    const reset = await request(ctx, 'POST', '/api/auth/reset-password', { token: LEGACY_TOKENS.reset, new_password: 'Brand-new-password-42' })
    t.equal(reset.statusCode, 400)
    t.equal(json(reset).code, 'INVALID_TOKEN')
    const verify = await request(ctx, 'POST', '/api/auth/verify-email', { token: LEGACY_TOKENS.verification })
    t.equal(verify.statusCode, 400)
    t.equal(json(verify).code, 'INVALID_TOKEN')
  })

  await t.test('every active key works with the same secret, whatever its key_hash said; an inactive one does not', async (t) => {
    const alice = json(await login(ctx, 'alice@example.com', LEGACY_PASSWORDS.alice.password))
    const listed = json(await request(ctx, 'GET', '/api/keys?include_inactive=true', undefined, alice.access_token)).api_keys
    t.same(listed.map((k: { id: number; name: string; key_prefix: string; status: string }) => [k.id, k.name, k.key_prefix, k.status]).sort(), [
      [1, 'Production', LEGACY_KEYS.hashed.slice(0, 11), 'active'],
      [2, 'Old script', LEGACY_KEYS.unhashed.slice(0, 11), 'active'],
      [3, 'Laptop', LEGACY_KEYS.wrongHash.slice(0, 11), 'active'],
      [4, 'Retired laptop', LEGACY_KEYS.inactive.slice(0, 11), 'deactivated'],
    ], 'same ids and names; the display prefix is computed from the key')
    for (const key of [LEGACY_KEYS.hashed, LEGACY_KEYS.unhashed, LEGACY_KEYS.wrongHash, LEGACY_KEYS.oldShape]) {
      const response = await weather(ctx, key, MELBOURNE)
      t.equal(response.statusCode, 200, `${key.slice(0, 11)}…: ${response.body.slice(0, 200)}`)
      t.equal(json(response).data.length, 3)
    }
    const inactive = await weather(ctx, LEGACY_KEYS.inactive, MELBOURNE)
    t.equal(inactive.statusCode, 401)
    t.equal(json(inactive).code, 'API_KEY_INACTIVE')
  })

  await t.test('keys over the tier limit keep working (grandfathered) and are reported; new ones are refused', async (t) => {
    t.match(adoption.report, /account 5 \(free\) holds 12 active keys where its tier allows 10: all keep working \(grandfathered\)/)
    const dave = json(await login(ctx, 'dave@example.com', LEGACY_PASSWORDS.alice.password))
    t.equal(json(await request(ctx, 'GET', '/api/keys', undefined, dave.access_token)).total, 12)
    const refused = await request(ctx, 'POST', '/api/keys', { name: 'thirteenth' }, dave.access_token)
    t.equal(refused.statusCode, 400)
    t.equal(json(refused).code, 'KEY_LIMIT_REACHED')
    // Dave used his whole free quota this month in the old service: each key authenticates, and the quota says no.
    for (const key of [DAVE_KEYS[0]!, DAVE_KEYS[11]!]) {
      const response = await weather(ctx, key, MELBOURNE)
      t.equal(response.statusCode, 429, response.body)
      t.equal(json(response).code, 'QUOTA_EXCEEDED', 'the old month\'s 100 requests count against the quota')
    }
  })

  await t.test('new rows continue after the old ids', async (t) => {
    const signup = await request(ctx, 'POST', '/api/auth/signup', { email: 'erin@example.com', password: 'Quokka-smiles-all-day', full_name: 'Erin' })
    t.equal(signup.statusCode, 201, signup.body)
    const erin = json(signup)
    t.equal(erin.user.id, 7, 'after the highest id the old sequence handed out (6), not after the highest row (5)')
    const key = await request(ctx, 'POST', '/api/keys', { name: 'new' }, erin.access_token)
    t.equal(key.statusCode, 201, key.body)
    t.equal(json(key).api_key.id, 26, 'keys: after the old sequence (25)')
    ctx.secrets.add(json(key).key_value)
    t.equal((await weather(ctx, json(key).key_value, MELBOURNE)).statusCode, 200)
    await ctx.app.metering.recorder.drain()
    const [newest] = await database.rows<{ id: number }>(`select max(id)::int as id from usage`)
    t.ok((newest?.id ?? 0) > 500, `usage ids continue after the old sequence (500): ${newest?.id}`)
  })

  await t.test('no clear key, token or password is left anywhere in the database', async (t) => {
    const columns = await database.rows(`select table_schema, table_name from information_schema.columns where column_name = 'key_value'`)
    t.same(columns, [], 'no table has a key_value column')
    t.same(await database.rows(`select nspname from pg_namespace where nspname = 'flask_legacy'`), [], 'the old tables are gone')
    const stored = await ctx.app.db.select({ id: apiKeys.id, hash: apiKeys.keyHash }).from(apiKeys).where(eq(apiKeys.id, 3))
    t.match(stored[0]?.hash, /^[0-9a-f]{64}$/)
    for (const secret of OLD_SECRETS.filter((s) => !s.startsWith('$2b$'))) {
      t.same(await placesHolding(database, secret), [], `${secret.slice(0, 6)}… is nowhere`)
    }
  })

  t.test('the report names ids and prefixes, never a secret', async (t) => {
    for (const secret of OLD_SECRETS) t.notOk(adoption.report.includes(secret) || adoption.progress.join('\n').includes(secret), `${secret.slice(0, 6)}… is not in the output`)
    t.notMatch(adoption.report, /\$2[aby]\$|\$argon2|[0-9a-f]{64}/, 'no hash of any kind')
  })
})
