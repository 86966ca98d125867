/** The driver's code (SQLSTATE or errno) of an error, looking through Drizzle's wrapping. */
export function errorCode(error: unknown): string | undefined {
  let current = error as { cause?: unknown; code?: unknown } | undefined
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string') return current.code
    current = current.cause as typeof current
  }
  return undefined
}

export const DEADLOCK_DETECTED = '40P01'
export const FOREIGN_KEY_VIOLATION = '23503'
