import t from 'tap'
import { build, createUser, json, login, type TestContext, type TestUser } from '../helper.js'
import { activeKeys, createKey, rotateKey } from './helpers.js'

const HOUR = 3_600_000
const GRACE_MS = 24 * HOUR

/** A data request that needs a usable key and nothing else: a bad state is 400 after authentication. */
async function keyWorks(ctx: TestContext, value: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'GET', url: '/api/weather/stations?state=NOWHERE', headers: { 'x-api-key': value } })
  return `${response.statusCode} ${json(response).code}`
}

/** Access tokens last 15 minutes: after moving the clock by hours, log in again. */
async function relogin(ctx: TestContext, user: TestUser) {
  user.accessToken = json(await login(ctx, user.email, user.password)).access_token
}

t.test('rotating a key in its grace period', async (t) => {
  const ctx = await build(t)

  t.test('is 409 KEY_ROTATING naming its successor, and issues nothing', async (t) => {
    const user = await createUser(ctx)
    const { body: created } = await createKey(ctx, user)
    const first = await rotateKey(ctx, user, created.api_key.id)
    t.equal(first.response.statusCode, 201)
    const retried = await rotateKey(ctx, user, created.api_key.id)
    t.equal(retried.response.statusCode, 409)
    t.equal(retried.body.success, false)
    t.equal(retried.body.code, 'KEY_ROTATING')
    t.equal(retried.body.successor_id, first.body.api_key.id, 'the body names the successor')
    t.match(retried.body.error, /already been rotated/)
    t.notOk(retried.body.key_value, 'no key is issued')
    t.same((await activeKeys(ctx, user)).map((k) => k.id).sort(), [created.api_key.id, first.body.api_key.id].sort(), 'still the old key and its one successor')
  })

  t.test('a successor never inherits an expiry, not even one chosen at creation', async (t) => {
    const user = await createUser(ctx)
    const chosen = new Date(ctx.clock.now().getTime() + 3 * 24 * HOUR).toISOString()
    const { body: created } = await createKey(ctx, user, { name: 'contractor', expires_at: chosen })
    const rotated = await rotateKey(ctx, user, created.api_key.id)
    t.equal(rotated.response.statusCode, 201)
    t.equal(rotated.body.api_key.expires_at, null, 'the successor has no expiry')
    t.equal(rotated.body.api_key.name, 'contractor')
    t.equal(new Date(rotated.body.old_key_expires_at).getTime(), ctx.clock.now().getTime() + GRACE_MS, 'the old key ends after the grace period')
  })

  t.test('the old key keeps an earlier end of its own', async (t) => {
    const user = await createUser(ctx)
    const soon = new Date(ctx.clock.now().getTime() + HOUR).toISOString()
    const { body: created } = await createKey(ctx, user, { expires_at: soon })
    const rotated = await rotateKey(ctx, user, created.api_key.id)
    t.equal(rotated.body.old_key_expires_at, soon, 'never longer than it would have worked anyway')
    t.equal(rotated.body.api_key.expires_at, null)
  })

  t.test('a retried rotation causes no outage: the key the client holds works after the grace period', async (t) => {
    const user = await createUser(ctx)
    const { body: created } = await createKey(ctx, user)
    // A client that timed out and tried again keeps the last key it was given.
    const attempts = [await rotateKey(ctx, user, created.api_key.id), await rotateKey(ctx, user, created.api_key.id)]
    const held = attempts.filter((a) => a.response.statusCode === 201).at(-1)!.body.key_value as string
    ctx.clock.advance(GRACE_MS + 60_000)
    t.equal(await keyWorks(ctx, created.key_value), '401 API_KEY_EXPIRED', 'the old key has stopped')
    t.equal(await keyWorks(ctx, held), '400 INVALID_STATE', 'the held key still works')
  })

  t.test('the successor can be rotated in turn; the old key after its grace period is KEY_INACTIVE', async (t) => {
    const user = await createUser(ctx)
    const { body: created } = await createKey(ctx, user)
    const first = await rotateKey(ctx, user, created.api_key.id)
    const second = await rotateKey(ctx, user, first.body.api_key.id)
    t.equal(second.response.statusCode, 201, 'the successor is not in a grace period')
    t.equal(second.body.api_key.expires_at, null)
    t.equal((await rotateKey(ctx, user, first.body.api_key.id)).body.code, 'KEY_ROTATING', 'and now it is')
    ctx.clock.advance(GRACE_MS + 60_000)
    await relogin(ctx, user)
    const expired = await rotateKey(ctx, user, created.api_key.id)
    t.equal(expired.response.statusCode, 409)
    t.equal(expired.body.code, 'KEY_INACTIVE')
  })

  t.test('a deactivated key in its grace period is KEY_INACTIVE', async (t) => {
    const user = await createUser(ctx)
    const { body: created } = await createKey(ctx, user)
    await rotateKey(ctx, user, created.api_key.id)
    await ctx.app.inject({ method: 'POST', url: `/api/keys/${created.api_key.id}/deactivate`, headers: { authorization: `Bearer ${user.accessToken}` } })
    t.equal((await rotateKey(ctx, user, created.api_key.id)).body.code, 'KEY_INACTIVE')
  })
})
