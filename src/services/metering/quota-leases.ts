import { sql } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { selectRows } from '../../db/rows.js'

/** A lease withheld by a crashed instance frees itself after this long. */
export const LEASE_TTL_MS = 60_000
/** Covers the traffic between two flushes (which hand free slots back) at a few thousand requests a second. */
const MAX_BLOCK = 1_000
/** Blocks shrink as the quota runs out: a twentieth of what is left, at least one. */
const BLOCK_DIVISOR = 20

export type Reservation =
  | { kind: 'unlimited' }
  | { kind: 'granted'; leaseKey: string; limit: number; used: number }
  | { kind: 'exceeded'; limit: number; used: number }

/**
 * This instance's share of one user's monthly quota. `free` slots may be handed to requests;
 * `inflight` are held by requests not yet answered. The database row of the lease holds
 * free + inflight + answered-but-not-yet-flushed, so the sum over all instances plus the
 * counted total never exceeds the quota.
 */
interface Lease {
  userId: number
  month: string
  free: number
  inflight: number
  /** Requests counted against the quota as far as this instance knows, for the headers. */
  used: number
  /** A slot was taken since the last flush: the lease is in use and keeps its free slots. */
  active: boolean
  /** The size of the last block granted: the next is asked for when half of it is left. */
  block: number
  /** The grant under way, if any: every request that finds no slot free waits for this one. */
  granting: Promise<number> | undefined
}

export interface LeaseFlush {
  userId: number
  month: string
  /** Slots the lease keeps in the database after the flush: those of unanswered requests. */
  keep: number
}

/** A promise chain that runs one task at a time. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve()
  return function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task, task)
    tail = run.catch(() => undefined)
    return run
  }
}

/**
 * Exact monthly quotas, decided in SQL in blocks (leases) instead of per request: one conditional
 * grant under a row lock serves up to a block of requests from memory. Grants and flushes of this
 * instance run one at a time, so a flush's absolute lease sizes never erase a concurrent grant.
 */
export function createQuotaLeases({ db, clock, instanceId }: { db: Database; clock: Clock; instanceId: string }) {
  const leases = new Map<string, Lease>()
  const exclusive = createMutex()
  const keyOf = (userId: number, month: string) => `${userId}:${month}`

  function leaseFor(userId: number, month: string): Lease {
    const key = keyOf(userId, month)
    let lease = leases.get(key)
    if (!lease) {
      lease = { userId, month, free: 0, inflight: 0, used: 0, active: false, block: 0, granting: undefined }
      leases.set(key, lease)
    }
    return lease
  }

  /** Free slots below which another block is asked for, before requests have to wait for it. */
  const lowWater = (lease: Lease) => Math.floor(lease.block / 2)

  /**
   * Asks the database for another block; answers how many slots were granted (0: quota spent).
   * The decision is the `grant_quota_lease` function of the migrations: one round trip.
   */
  function grant(lease: Lease, quota: number): Promise<number> {
    return exclusive(async () => {
      const now = clock.now()
      const expiresAt = new Date(now.getTime() + LEASE_TTL_MS)
      const [decision] = await selectRows<{ granted: number; held: number }>(db, sql`
        select granted, held from grant_quota_lease(${instanceId}::uuid, ${lease.userId}::integer, ${lease.month}::text,
          ${quota}::integer, ${MAX_BLOCK}::integer, ${BLOCK_DIVISOR}::integer, ${now.toISOString()}::timestamptz, ${expiresAt.toISOString()}::timestamptz)`)
      if (!decision) throw new Error('grant_quota_lease answered nothing')
      lease.used = decision.held - lease.free
      if (decision.granted === 0) return 0
      lease.free += decision.granted
      lease.block = decision.granted
      // Asked for because requests want it: a flush before they take their slots keeps it.
      lease.active = true
      return decision.granted
    })
  }

  /**
   * One grant at a time per lease, shared by everyone who wants it: the requests that find no
   * slot free wait for the same decision (once the quota is spent, hundreds of refusals cost one
   * transaction, not one each), and so does the refill asked for ahead of need.
   */
  function nextBlock(lease: Lease, quota: number): Promise<number> {
    lease.granting ??= grant(lease, quota).finally(() => (lease.granting = undefined))
    return lease.granting
  }

  /**
   * The next block, asked for in the background once the lease runs low: under steady traffic
   * the grant (a transaction, after any flush in progress) is never on a request's path. Should
   * it fail, the requests waiting for it get its error, as they would have from their own.
   */
  function refillAhead(lease: Lease, quota: number): void {
    if (lease.granting || lease.free > lowWater(lease)) return
    nextBlock(lease, quota).catch(() => undefined)
  }

  /** Takes one slot of the user's quota for `month`, asking for a new block when none is free. */
  async function reserve(userId: number, month: string, quota: number | null): Promise<Reservation> {
    if (quota === null) return { kind: 'unlimited' }
    for (;;) {
      // Looked up afresh after every wait: a flush may have retired the lease meanwhile.
      const lease = leaseFor(userId, month)
      if (lease.free > 0) {
        lease.free -= 1
        lease.inflight += 1
        lease.used += 1
        lease.active = true
        refillAhead(lease, quota)
        return { kind: 'granted', leaseKey: keyOf(userId, month), limit: quota, used: lease.used }
      }
      // A slot given back meanwhile (an uncharged answer) is still worth taking.
      if ((await nextBlock(lease, quota)) === 0 && lease.free === 0) return { kind: 'exceeded', limit: quota, used: Math.max(lease.used, quota) }
    }
  }

  /** A request holding a slot was answered; an uncharged answer (5xx) gives its slot back. */
  function settle(leaseKey: string, charged: boolean): void {
    const lease = leases.get(leaseKey)
    if (!lease) return
    lease.inflight -= 1
    if (!charged) {
      lease.free += 1
      lease.used -= 1
    }
  }

  /**
   * Called synchronously when a flush takes its batch: each lease shrinks to its unanswered
   * requests (answered ones are counted by the same flush) plus, while it is in use, its free
   * slots. A lease in use keeps its block, so that its requests do not wait for a grant after
   * every flush; one unused since the last flush gives its free slots back to every instance.
   */
  function takeFlush(): LeaseFlush[] {
    const out: LeaseFlush[] = []
    for (const [key, lease] of leases) {
      if (!lease.active) lease.free = 0
      lease.active = false
      out.push({ userId: lease.userId, month: lease.month, keep: lease.inflight + lease.free })
      // A lease with a grant under way is kept: the grant adds its block to this very object.
      if (lease.inflight === 0 && lease.free === 0 && !lease.granting) leases.delete(key)
    }
    return out.sort((a, b) => a.userId - b.userId || a.month.localeCompare(b.month))
  }

  /** At shutdown: the next flush gives every free slot back. */
  function releaseAll(): void {
    for (const lease of leases.values()) lease.active = false
  }

  return { reserve, settle, takeFlush, releaseAll, exclusive, instanceId }
}

export type QuotaLeases = ReturnType<typeof createQuotaLeases>
