import t from 'tap'
import bcrypt from 'bcryptjs'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema/index.js'
import { build, json, login, strongPassword, uniqueEmail, type TestContext } from '../helper.js'

/** Parameters of a PHC argon2 hash by name (the library may write them in any order). */
function argon2Algorithm(hash: string | undefined): string {
  const [, id, version, params] = (hash ?? '').split('$')
  const named = Object.fromEntries((params ?? '').split(',').map((p) => p.split('=')))
  return `${id} ${version} m=${named.m} t=${named.t} p=${named.p}`
}

/** A user as the old service left it: a bcrypt hash, already verified. */
async function importLegacyUser(ctx: TestContext, variant: '2a' | '2b' = '2b') {
  const email = uniqueEmail('legacy')
  const password = strongPassword()
  ctx.secrets.add(password)
  // The async form yields to the event loop, so the app's load shedding does not see a stall.
  const hash = (await bcrypt.hash(password, 10)).replace(/^\$2[aby]\$/, `$${variant}$`)
  const [row] = await ctx.app.db
    .insert(users)
    .values({ email, passwordHash: hash, fullName: 'Imported User', emailVerified: true, createdAt: ctx.clock.now() })
    .returning()
  return { id: row!.id, email, password, hash }
}

async function storedHash(ctx: TestContext, id: number): Promise<string | undefined> {
  const [row] = await ctx.app.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id))
  return row?.hash
}

t.test('a bcrypt hash from the old service is accepted once and replaced by argon2id', async (t) => {
  const ctx = await build(t)
  for (const variant of ['2b', '2a'] as const) {
    const user = await importLegacyUser(ctx, variant)
    t.ok(user.hash.startsWith(`$${variant}$10$`), `the fixture is a $${variant}$ hash`)

    const first = await login(ctx, user.email, user.password)
    t.equal(first.statusCode, 200, `$${variant}$: the old password logs in`)
    t.equal(json(first).user.id, user.id)
    const upgraded = await storedHash(ctx, user.id)
    t.equal(argon2Algorithm(upgraded), 'argon2id v=19 m=19456 t=2 p=1', 'the hash is now argon2id')
    t.notMatch(upgraded ?? '', /^\$2[aby]\$/, 'the bcrypt hash is gone')

    const second = await login(ctx, user.email, user.password)
    t.equal(second.statusCode, 200, 'the password still works against the new hash', { body: second.body })
    t.equal(await storedHash(ctx, user.id), upgraded, 'a current hash is not rewritten on every login')
    t.equal((await login(ctx, user.email, strongPassword())).statusCode, 401, 'a wrong password is refused after the upgrade')
  }
})

t.test('a wrong password against a bcrypt hash is refused and leaves the hash alone', async (t) => {
  const ctx = await build(t)
  const user = await importLegacyUser(ctx)
  for (const password of [strongPassword(), user.password.toUpperCase(), user.password.slice(0, -1)]) {
    ctx.secrets.add(password)
    const response = await login(ctx, user.email, password)
    t.equal(response.statusCode, 401)
    t.equal(json(response).code, 'INVALID_CREDENTIALS')
  }
  t.equal(await storedHash(ctx, user.id), user.hash, 'no upgrade without the right password')
  t.equal((await login(ctx, user.email, user.password)).statusCode, 200, 'the right password still works')
})
