import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent.
 * A request leaves a few KiB that outlive two young collections (the buffered usage row, sockets'
 * write queues); at thousands of requests a second V8 judges full collections cheap and lets that
 * dead memory grow to four times the live heap (~250 MiB resident on the metered route). Growing
 * by half at most keeps the metered route near 150 MiB at the same throughput (measured by
 * `npm run bench`: 100 % gave 167 MiB, V8's default more than 200).
 */
export const HEAP_GROWING_PERCENT = 50

const FLAG = '--heap-growing-percent'

/**
 * Applies HEAP_GROWING_PERCENT unless the command line sets the flag itself. V8 reads this flag at
 * every full collection, so setting it once the process runs takes effect.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith('--heap_growing_percent'))) return false
  setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`)
  return true
}
