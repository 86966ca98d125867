/**
 * Changes to cached rows, as the database announces them (see the `notify_cache_change` trigger
 * of the migrations): "<topic>:<id>[:<id>]". While the feed is not listening, changes may go
 * unheard, so caches must neither serve nor keep anything; every loss and every return of the
 * connection empties them.
 */
export type ChangeHandler = (ids: string[]) => void

export function createChangeFeed() {
  let listening = false
  const handlers = new Map<string, Set<ChangeHandler>>()
  const resets = new Set<() => void>()
  const reset = () => resets.forEach((handler) => handler())

  return {
    /** Whether changes are heard now: only then may a cache keep what it read. */
    get listening(): boolean {
      return listening
    },
    on(topic: string, handler: ChangeHandler): void {
      const set = handlers.get(topic) ?? new Set()
      set.add(handler)
      handlers.set(topic, set)
    },
    /** Called whenever cached state can no longer be trusted. */
    onReset(handler: () => void): void {
      resets.add(handler)
    },
    /** A notification payload from the database. */
    notify(payload: string): void {
      const [topic, ...ids] = payload.split(':')
      handlers.get(topic!)?.forEach((handler) => handler(ids))
    },
    setListening(now: boolean): void {
      listening = now
      reset()
    },
  }
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>
