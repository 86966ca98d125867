/** Where the adoption says what it is doing: steps, and rows done on the large tables. */
export interface Progress {
  step(message: string): void
  rows(table: string, done: number, total: number): void
}

export const silentProgress: Progress = { step: () => {}, rows: () => {} }

const number = (n: number) => Math.round(n).toLocaleString('en-US')

/** Progress as lines of text (the script writes them to stderr), with the rate since the table began. */
export function progressLines(write: (line: string) => void, now: () => number = Date.now): Progress {
  const started = new Map<string, number>()
  return {
    step: (message) => write(message),
    rows(table, done, total) {
      const start = started.get(table) ?? now()
      started.set(table, start)
      const seconds = (now() - start) / 1000
      const percent = total === 0 ? 100 : (100 * done) / total
      const rate = seconds > 0 ? `, ${number(done / seconds)} rows/s` : ''
      write(`${table}: ${number(done)} / ${number(total)} rows (${percent.toFixed(1)} %)${rate}`)
    },
  }
}
