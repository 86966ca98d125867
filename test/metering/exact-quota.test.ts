import t from 'tap'
import { build, createUser, json } from '../helper.js'
import { createKey, metered, setFreeTier, settle, totalCounted, usageRows } from './helpers.js'

const statuses = (responses: { statusCode: number }[]) =>
  responses.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.statusCode]: (acc[r.statusCode] ?? 0) + 1 }), {})

t.test('1,000 concurrent counted requests: answers == usage rows == counter increase', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 10_000, rateLimitPerHour: 100_000 })
  const responses = await Promise.all(Array.from({ length: 1_000 }, () => metered(ctx, key)))
  await settle(ctx)
  t.same(statuses(responses), { 400: 1_000 }, 'every request answered, as the bad date it is')
  t.equal(await usageRows(ctx, user), 1_000)
  t.equal(await totalCounted(ctx, user), 1_000)
})

t.test('quota 100 and 500 concurrent requests: exactly 100 served', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const key = await createKey(ctx, user)
  await setFreeTier(ctx, { monthlyQuota: 100, rateLimitPerHour: 100_000 })
  const responses = await Promise.all(Array.from({ length: 500 }, () => metered(ctx, key)))
  await settle(ctx)
  t.same(statuses(responses), { 400: 100, 429: 400 })
  const refused = responses.find((r) => r.statusCode === 429)!
  t.equal(json(refused).code, 'QUOTA_EXCEEDED')
  t.equal(await usageRows(ctx, user), 100)
  t.equal(await totalCounted(ctx, user), 100)
})

t.test('two instances sharing one database: still exactly the quota', async (t) => {
  const first = await build(t)
  const second = await build(t, { shareDatabaseWith: first })
  const user = await createUser(first)
  const key = await createKey(first, user)
  await setFreeTier(first, { monthlyQuota: 100, rateLimitPerHour: 100_000 })
  const responses = await Promise.all(Array.from({ length: 500 }, (_, i) => metered(i % 2 === 0 ? first : second, key)))
  await settle(first, second)
  t.same(statuses(responses), { 400: 100, 429: 400 })
  t.equal(await usageRows(first, user), 100)
  t.equal(await totalCounted(first, user), 100)
})

t.test('three keys of one user share the quota', async (t) => {
  const ctx = await build(t)
  const user = await createUser(ctx)
  const keys = [await createKey(ctx, user), await createKey(ctx, user), await createKey(ctx, user)]
  await setFreeTier(ctx, { monthlyQuota: 30, rateLimitPerHour: 100_000 })
  const responses = await Promise.all(Array.from({ length: 90 }, (_, i) => metered(ctx, keys[i % 3]!)))
  await settle(ctx)
  t.same(statuses(responses), { 400: 30, 429: 60 })
  t.equal(await totalCounted(ctx, user), 30)
})
