import { LRUCache } from 'lru-cache'
import type { ChangeFeed } from './change-feed.js'

export interface InvalidatedCacheOptions<V> {
  max: number
  /** With `size`: a bound on the summed sizes of the entries, not only on their number. */
  maxSize?: number
  size?: (value: V) => number
  /** A bound on staleness should a change ever go unheard. */
  ttlMs: number
}

/**
 * An LRU cache of database reads that the change feed keeps true. A read that was in progress
 * when a change arrived is returned but not kept: it may predate the change.
 */
export function createInvalidatedCache<K extends {}, V extends {}>(feed: ChangeFeed, { max, ttlMs, maxSize, size }: InvalidatedCacheOptions<V>) {
  const cache = new LRUCache<K, V>({ max, ttl: ttlMs, ...(maxSize && size ? { maxSize, sizeCalculation: size } : {}) })
  let generation = 0
  const forgetAll = () => {
    generation += 1
    cache.clear()
  }
  feed.onReset(forgetAll)

  /** The cached value, or what `load` reads; an undefined read is not kept. */
  function get(key: K, load: () => Promise<V>): Promise<V>
  function get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined>
  async function get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (feed.listening) {
      const hit = cache.get(key)
      if (hit !== undefined) return hit
    }
    const started = generation
    const value = await load()
    if (value !== undefined && feed.listening && started === generation) cache.set(key, value)
    return value
  }

  return {
    get,
    /** The cached value without a read, for hot paths that can skip a promise when it is there. */
    peek(key: K): V | undefined {
      return feed.listening ? cache.get(key) : undefined
    },
    delete(key: K): void {
      generation += 1
      cache.delete(key)
    },
    /** Drops every entry `matches` picks; a scan, for changes that do not name a cache key. */
    deleteWhere(matches: (value: V, key: K) => boolean): void {
      generation += 1
      for (const [key, value] of cache.entries()) if (matches(value, key)) cache.delete(key)
    },
  }
}
