import { createRequire } from 'node:module'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

type Counted = { current: number; ttl: number }
type Callback = (error: Error | null, result?: Counted) => void

/** The store contract of @fastify/rate-limit 11 (see its index.js): per-call window and limit. */
interface Store {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void
  read(key: string, callback: Callback, timeWindow: number, max: number): void
  child(routeOptions: RouteParams): Store
}

/** What the library hands to `new Store()` and to `child()`: the merged global and route options. */
interface RouteParams {
  continueExceeding?: boolean
  exponentialBackoff?: boolean
  cache?: number
  routeInfo?: { method?: string; url?: string }
}

type LocalStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store
type RedisStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, nameSpace?: string) => Store

// The library's own stores, so that both halves keep its exact counting semantics (and the
// Redis key layout `<nameSpace><METHOD><url>-<key>` that every instance must agree on). They
// ship without type declarations, hence require() and the constructor types above.
const require = createRequire(import.meta.url)
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as LocalStoreCtor
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as RedisStoreCtor

export type RateLimitBackend = 'redis' | 'local'

/** Tracks which counters are in use and says so in the log, once per change. */
class Failover {
  private degraded = false

  constructor(
    readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Whether to try Redis at all: a client that is not connected fails or queues, so skip it.
   * The socket is checked as well as the status: when the server hangs up, the socket stops
   * being writable at once, but the client only leaves 'ready' when it handles the close event,
   * which a busy event loop can hold back for a while.
   */
  get redisReady(): boolean {
    return this.redis.status === 'ready' && this.redis.stream?.writable === true
  }

  fellBack(reason: string): void {
    if (this.degraded) return
    this.degraded = true
    this.log.warn({ reason }, 'Redis unavailable: rate limits are counted per instance until it is back')
  }

  recovered(): void {
    if (!this.degraded) return
    this.degraded = false
    this.log.warn('Redis reachable again: rate limits are shared through Redis')
  }

  /** Connection errors repeat on every reconnect attempt; only the first of an outage is news. */
  connectionError(error: Error): void {
    if (this.degraded) this.log.debug({ err: { message: error.message } }, 'redis error')
    else this.fellBack(error.message)
  }
}

class FallbackStore implements Store {
  constructor(
    private readonly failover: Failover,
    private readonly shared: Store,
    private readonly local: Store,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.count('incr', key, callback, timeWindow, max)
  }

  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.count('read', key, callback, timeWindow, max)
  }

  child(routeOptions: RouteParams): Store {
    return new FallbackStore(this.failover, this.shared.child(routeOptions), this.local.child(routeOptions))
  }

  /**
   * Redis when it answers, the local counters otherwise. A request whose Redis command failed is
   * counted locally instead, so that every request is counted somewhere and none waits on Redis
   * longer than the client's command timeout.
   */
  private count(method: 'incr' | 'read', key: string, callback: Callback, timeWindow: number, max: number): void {
    const local = () => this.local[method](key, callback, timeWindow, max)
    if (!this.failover.redisReady) {
      this.failover.fellBack(`connection ${this.failover.redis.status}`)
      return local()
    }
    let answered = false
    const onShared: Callback = (error, result) => {
      if (answered) return
      answered = true
      if (error || !result) {
        this.failover.fellBack(error?.message ?? 'no result')
        return local()
      }
      this.failover.recovered()
      callback(null, result)
    }
    try {
      this.shared[method](key, onShared, timeWindow, max)
    } catch (error) {
      onShared(error instanceof Error ? error : new Error(String(error)))
    }
  }
}

export interface FallbackRateLimitStore {
  /** The `store` option of @fastify/rate-limit. */
  Store: FastifyRateLimitStoreCtor
  /** Which counters the next request would use. */
  backend(): RateLimitBackend
}

/**
 * A @fastify/rate-limit store that counts in Redis, shared by every instance, and falls back to
 * in-process counters (the library's LocalStore) while Redis is unreachable, going back to Redis
 * as soon as the client has reconnected. Counts made locally during an outage stay local: Redis
 * resumes from what it held. It listens to the client's 'error' events itself, so that an outage
 * is logged once rather than on every reconnect attempt.
 */
export function createFallbackRateLimitStore(options: { redis: Redis; nameSpace: string; log: FastifyBaseLogger }): FallbackRateLimitStore {
  const failover = new Failover(options.redis, options.log)
  options.redis.on('error', (error: Error) => failover.connectionError(error))
  class RootStore extends FallbackStore {
    constructor(globalParams: RouteParams) {
      const continueExceeding = globalParams.continueExceeding ?? false
      const exponentialBackoff = globalParams.exponentialBackoff ?? false
      super(
        failover,
        new RedisStore(continueExceeding, exponentialBackoff, options.redis, options.nameSpace),
        new LocalStore(continueExceeding, exponentialBackoff),
      )
    }
  }
  // The library declares child() as taking the route's options; index.js passes the merged rate
  // limit options with the route under `routeInfo`, which is what RouteParams describes.
  return { Store: RootStore as unknown as FastifyRateLimitStoreCtor, backend: () => (failover.redisReady ? 'redis' : 'local') }
}
