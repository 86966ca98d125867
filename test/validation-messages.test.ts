import t from 'tap'
import { build, createUser, json, request, uniqueEmail } from './helper.js'

t.test('validation errors are written for people', async (t) => {
  const ctx = await build(t)
  const cases: [string, unknown, { field: string; message: string }[], string][] = [
    ['a short password', { email: uniqueEmail(), password: 'short', full_name: 'Ann' },
      [{ field: 'password', message: 'must be at least 8 characters' }], 'Password must be at least 8 characters'],
    ['a bad email', { email: 'not-an-email', password: 'long enough password 1', full_name: 'Ann' },
      [{ field: 'email', message: 'must be an email address, such as name@example.com' }], 'Email must be an email address, such as name@example.com'],
    ['a missing name', { email: uniqueEmail(), password: 'long enough password 1' },
      [{ field: 'full_name', message: 'is required' }], 'Full name is required'],
    ['two problems', { email: 'x', password: 'y' },
      [{ field: 'email', message: 'must be at least 3 characters' }, { field: 'password', message: 'must be at least 8 characters' }], 'Full name is required; email must be at least 3 characters'],
  ]
  for (const [what, body, details, sentence] of cases) {
    const response = await request(ctx, 'POST', '/api/auth/signup', body)
    t.equal(response.statusCode, 400, what)
    const answer = json(response)
    t.equal(answer.code, 'VALIDATION_ERROR', what)
    for (const detail of details) t.ok(answer.details.some((d: object) => JSON.stringify(d) === JSON.stringify(detail)), `${what}: ${JSON.stringify(answer.details)}`)
    t.ok(answer.error.startsWith(sentence), `${what}: ${answer.error}`)
    t.notMatch(response.body, /must NOT|must match|must have required/, `${what}: none of the validator's own wording`)
  }

  const user = await createUser(ctx)
  const wrongType = json(await request(ctx, 'GET', '/api/usage/recent?limit=lots', undefined, user.accessToken))
  t.same(wrongType.details, [{ field: 'limit', message: 'must be a whole number' }])
  const tooMany = json(await request(ctx, 'GET', '/api/usage/recent?limit=100000', undefined, user.accessToken))
  t.match(tooMany.details, [{ field: 'limit', message: /^must be at most \d+$/ }])
  const longName = json(await request(ctx, 'POST', '/api/keys', { name: 'k'.repeat(101) }, user.accessToken))
  t.same(longName.details, [{ field: 'name', message: 'must be at most 100 characters' }])
  t.equal(longName.error, 'Name must be at most 100 characters')
})
