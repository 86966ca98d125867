/**
 * Concurrent callers asking for the same key share one execution of the work: the first starts
 * it, the rest await the same promise. The key is forgotten once the work settles.
 */
export function createSingleFlight<T>() {
  const inFlight = new Map<string, Promise<T>>()
  return function run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = inFlight.get(key)
    if (existing) return existing
    const promise = work().finally(() => inFlight.delete(key))
    inFlight.set(key, promise)
    return promise
  }
}
