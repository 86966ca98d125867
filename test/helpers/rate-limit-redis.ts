import type { Redis } from 'ioredis'

/** Where the rate limiter keeps its counters in Redis (see src/plugins/rate-limit.ts). */
export const NAMESPACE = 'fetcha-rl-'

/** The limiter's Redis entries for one account (under the namespace, whatever the route part). */
export async function limiterEntries(redis: Redis, userId: number): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${NAMESPACE}*user:${userId}`, 'COUNT', 1000)
    cursor = next
    found.push(...keys.filter((k) => k.endsWith(`-user:${userId}`)))
  } while (cursor !== '0')
  return found
}
