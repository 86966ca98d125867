import t, { type Test } from 'tap'
import { build, createUser, type TestContext, type TestUser } from '../helper.js'
import { activeKeys, createKey, openWholePool, rotateKey, tally, watchTransactions, type KeyAnswer } from './helpers.js'

const RACERS = 50
/** The free tier's active-key limit as the migrations seed it. */
const LIMIT = 10

/** Sends every request at once; on PostgreSQL, checks they really met in the database. */
async function race(t: Test, ctx: TestContext, requests: (() => Promise<KeyAnswer>)[]): Promise<KeyAnswer[]> {
  await openWholePool(ctx)
  const watched = await watchTransactions(ctx, () => Promise.all(requests.map((send) => send())))
  if (watched.inFlight !== null) {
    t.ok(watched.inFlight >= 2, `PostgreSQL: the racing transactions overlapped (${watched.inFlight} in flight at once, ${watched.waiting} waiting for a lock)`)
  }
  return watched.result
}

async function keysUpTo(ctx: TestContext, user: TestUser, count: number): Promise<number[]> {
  const ids: number[] = []
  for (let i = 0; i < count; i++) ids.push((await createKey(ctx, user, { name: `existing ${i}` })).body.api_key.id)
  return ids
}

t.test('racing rotations and creations of one account', async (t) => {
  const ctx = await build(t)

  t.test(`${RACERS} concurrent rotations of one key: exactly one wins, the rest are 409 KEY_ROTATING`, async (t) => {
    const user = await createUser(ctx)
    const [id] = await keysUpTo(ctx, user, 1)
    const answers = await race(t, ctx, Array.from({ length: RACERS }, () => () => rotateKey(ctx, user, id!)))
    t.same(tally(answers), { 201: 1, '409 KEY_ROTATING': RACERS - 1 }, 'one 201, every other rotation 409')
    const winner = answers.find((a) => a.response.statusCode === 201)!
    const successorIds = new Set(answers.filter((a) => a.response.statusCode === 409).map((a) => a.body.successor_id))
    t.same([...successorIds], [winner.body.api_key.id], "every refusal names the winner's key as the successor")
    const active = await activeKeys(ctx, user)
    t.equal(active.length, 2, 'the old key, in its grace period, and one successor')
    t.equal(active.find((k) => k.id === winner.body.api_key.id)?.expires_at, null, 'the successor has no expiry')
  })

  t.test(`${RACERS} concurrent creations at the limit minus one: exactly one is created`, async (t) => {
    const user = await createUser(ctx)
    await keysUpTo(ctx, user, LIMIT - 1)
    const answers = await race(t, ctx, Array.from({ length: RACERS }, (_, i) => () => createKey(ctx, user, { name: `racer ${i}` })))
    t.same(tally(answers), { 201: 1, '400 KEY_LIMIT_REACHED': RACERS - 1 })
    t.equal((await activeKeys(ctx, user)).length, LIMIT, 'the account holds exactly the limit')
  })

  t.test('creations and rotations racing at the limit minus one: one of them gets the last slot', async (t) => {
    const user = await createUser(ctx)
    const [id] = await keysUpTo(ctx, user, LIMIT - 1)
    const requests = Array.from({ length: RACERS }, (_, i) =>
      i % 2 === 0 ? () => createKey(ctx, user, { name: `racer ${i}` }) : () => rotateKey(ctx, user, id!))
    const answers = await race(t, ctx, requests)
    const outcomes = tally(answers)
    t.equal(outcomes['201'], 1, `exactly one request succeeded (${JSON.stringify(outcomes)})`)
    t.same(Object.keys(outcomes).filter((o) => !['201', '400 KEY_LIMIT_REACHED', '409 KEY_ROTATING'].includes(o)), [], 'every refusal is KEY_LIMIT_REACHED or KEY_ROTATING')
    t.equal((await activeKeys(ctx, user)).length, LIMIT, 'the account holds exactly the limit')
  })

  t.test('creations and rotations racing with room to spare: the limit holds and one rotation wins', async (t) => {
    const user = await createUser(ctx)
    const [id] = await keysUpTo(ctx, user, 1)
    const requests = Array.from({ length: RACERS }, (_, i) =>
      i % 5 < 2 ? () => createKey(ctx, user, { name: `racer ${i}` }) : () => rotateKey(ctx, user, id!))
    const answers = await race(t, ctx, requests)
    const rotations = answers.filter((_, i) => i % 5 >= 2)
    const rotated = rotations.filter((a) => a.response.statusCode === 201).length
    t.ok(rotated <= 1, `at most one rotation of the key won (${rotated})`)
    t.same(Object.keys(tally(rotations)).filter((o) => !['201', '400 KEY_LIMIT_REACHED', '409 KEY_ROTATING'].includes(o)), [], 'rotations: 201, KEY_LIMIT_REACHED or KEY_ROTATING')
    const created = answers.filter((a) => a.response.statusCode === 201).length
    const active = (await activeKeys(ctx, user)).length
    t.equal(active, 1 + created, 'every success is one more active key')
    t.equal(active, LIMIT, 'and they stop at the limit')
  })

  t.test('a rotation at the limit is refused like a creation: the successor would be one key too many', async (t) => {
    const user = await createUser(ctx)
    const [id] = await keysUpTo(ctx, user, LIMIT)
    const refused = await rotateKey(ctx, user, id!)
    t.equal(refused.response.statusCode, 400)
    t.equal(refused.body.code, 'KEY_LIMIT_REACHED')
    t.equal(refused.body.limit, LIMIT)
    const active = await activeKeys(ctx, user)
    t.equal(active.length, LIMIT, 'no successor was issued')
    t.equal(active.find((k) => k.id === id)?.expires_at, null, 'and the key was left as it was')
  })
})
