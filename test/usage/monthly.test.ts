import t from 'tap'
import { get, moveClock, setCounters, setQuota, setTier, setup } from './helpers.js'

t.test('GET /api/usage/monthly', async (t) => {
  const { ctx, user, other } = await setup(t)
  await setCounters(ctx, user, '2025-11', { total: 40, successful: 30, failed: 10, responseTimeMs: 4000.5, lastUpdated: new Date('2025-11-15T11:00:00Z') })
  await setCounters(ctx, user, '2025-10', { total: 7, successful: 7, failed: 0, responseTimeMs: 700 })
  await setCounters(ctx, other, '2025-11', { total: 99, successful: 1, failed: 98, responseTimeMs: 1 })

  t.test('defaults to the current UTC month', async (t) => {
    const { status, body } = await get(ctx, user, '/api/usage/monthly')
    t.equal(status, 200)
    t.equal(body.success, true)
    t.same(body.usage, {
      month: '2025-11',
      total_requests: 40,
      successful_requests: 30,
      failed_requests: 10,
      average_response_time_ms: 100.01,
      total_response_time_ms: 4000.5,
      last_updated: '2025-11-15T11:00:00.000Z',
    })
    t.same(body.quota, {
      within_quota: true,
      requests_used: 40,
      requests_remaining: 60,
      quota_limit: 100,
      percentage_used: 40,
      resets_at: '2025-12-01T00:00:00.000Z',
    })
    t.equal(body.tier, 'free')
  })

  t.test('a named month, and zeros for a month without counters', async (t) => {
    const october = (await get(ctx, user, '/api/usage/monthly?month=2025-10')).body
    t.equal(october.usage.total_requests, 7)
    t.equal(october.usage.average_response_time_ms, 100)
    t.equal(october.quota.resets_at, '2025-11-01T00:00:00.000Z')

    const december = (await get(ctx, user, '/api/usage/monthly?month=2025-12')).body
    t.same(december.usage, {
      month: '2025-12',
      total_requests: 0,
      successful_requests: 0,
      failed_requests: 0,
      average_response_time_ms: 0,
      total_response_time_ms: 0,
      last_updated: null,
    })
    t.same(december.quota, { within_quota: true, requests_used: 0, requests_remaining: 100, quota_limit: 100, percentage_used: 0, resets_at: '2026-01-01T00:00:00.000Z' })
  })

  t.test("another user's counters never show", async (t) => {
    const body = (await get(ctx, other, '/api/usage/monthly')).body
    t.equal(body.usage.total_requests, 99)
    const mine = (await get(ctx, user, '/api/usage/monthly?month=2025-11')).body
    t.equal(mine.usage.total_requests, 40)
  })

  t.test('a quota edit shows at the next request', async (t) => {
    t.teardown(() => setQuota(ctx, 'free', 100))
    await setQuota(ctx, 'free', 50)
    t.same(pick((await get(ctx, user, '/api/usage/monthly')).body.quota), { within_quota: true, requests_remaining: 10, quota_limit: 50, percentage_used: 80 })
    await setQuota(ctx, 'free', 40)
    t.same(pick((await get(ctx, user, '/api/usage/monthly')).body.quota), { within_quota: false, requests_remaining: 0, quota_limit: 40, percentage_used: 100 })
    await setQuota(ctx, 'free', 30)
    t.same(pick((await get(ctx, user, '/api/usage/monthly')).body.quota), { within_quota: false, requests_remaining: 0, quota_limit: 30, percentage_used: 133.33 })
    await setQuota(ctx, 'free', 0)
    t.same(pick((await get(ctx, user, '/api/usage/monthly')).body.quota), { within_quota: false, requests_remaining: 0, quota_limit: 0, percentage_used: 100 })
  })

  t.test('an unlimited tier reports real usage without a limit', async (t) => {
    t.teardown(() => setTier(ctx, user, 'free'))
    await setTier(ctx, user, 'enterprise')
    const body = (await get(ctx, user, '/api/usage/monthly')).body
    t.equal(body.tier, 'enterprise')
    t.same(body.quota, { within_quota: true, requests_used: 40, requests_remaining: null, quota_limit: null, percentage_used: null, resets_at: '2025-12-01T00:00:00.000Z' })
    t.equal(body.usage.total_requests, 40)
    await setTier(ctx, user, 'pro')
    t.same(pick((await get(ctx, user, '/api/usage/monthly')).body.quota), { within_quota: true, requests_remaining: 4960, quota_limit: 5000, percentage_used: 0.8 })
  })

  t.test('a month that is not YYYY-MM is a 400 naming the field', async (t) => {
    for (const month of ['2025-13', '2025-00', '2025-1', '202511', 'abc', '2025-11-01', '1999-12', '0025-11', ' 2025-11x']) {
      const { status, body } = await get(ctx, user, `/api/usage/monthly?month=${encodeURIComponent(month)}`)
      t.equal(status, 400, month)
      t.equal(body.code, 'VALIDATION_ERROR')
      t.same(body.details.map((d: { field: string }) => d.field), ['month'], month)
    }
    t.equal((await get(ctx, user, `/api/usage/monthly?month=${'1'.repeat(40)}`)).status, 400, 'an absurdly long value')
    t.equal((await get(ctx, user, '/api/usage/monthly?month=')).body.usage.month, '2025-11', 'empty means the default')
  })
})

t.test('the default month turns at 00:00 UTC on the 1st', async (t) => {
  const { ctx, user } = await setup(t)
  await setCounters(ctx, user, '2025-10', { total: 3, successful: 3, failed: 0, responseTimeMs: 30 })
  await moveClock(ctx, user, '2025-10-31T23:59:59.900Z')
  const before = (await get(ctx, user, '/api/usage/monthly')).body
  t.equal(before.usage.month, '2025-10')
  t.equal(before.usage.total_requests, 3)
  t.equal(before.quota.resets_at, '2025-11-01T00:00:00.000Z')
  await moveClock(ctx, user, '2025-11-01T00:00:00Z')
  const after = (await get(ctx, user, '/api/usage/monthly')).body
  t.equal(after.usage.month, '2025-11')
  t.equal(after.usage.total_requests, 0)
  t.equal(after.quota.resets_at, '2025-12-01T00:00:00.000Z')
  await moveClock(ctx, user, '2025-12-31T23:59:59.999Z')
  t.equal((await get(ctx, user, '/api/usage/monthly')).body.quota.resets_at, '2026-01-01T00:00:00.000Z', 'across the year end')
})

function pick(quota: Record<string, unknown>) {
  const { within_quota, requests_remaining, quota_limit, percentage_used } = quota
  return { within_quota, requests_remaining, quota_limit, percentage_used }
}
