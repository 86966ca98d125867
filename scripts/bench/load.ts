import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** A body per connection instead of one for all, taken in turn. */
  bodies?: string[]
  connections: number
  /** Runs for this long, or, with `amount`, until that many requests are answered. */
  durationSeconds?: number
  amount?: number
}

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Connection errors and timeouts, as autocannon counts them. */
  errors: number
  /** Answers by status class. */
  statuses: Record<string, number>
  /** Answers other than 2xx, by status code: "429×3 503×1". */
  refusals: string
  total: number
}

/** A run with any error or non-2xx answer is not a throughput. */
export function isValid(load: LoadResult): boolean {
  return load.errors === 0 && load.refusals === ''
}

function bodyPerConnection(bodies: string[]) {
  let next = 0
  return (client: autocannon.Client) => client.setBody(bodies[next++ % bodies.length]!)
}

/** One autocannon run; a warm-up is simply a shorter run whose result is dropped. */
export async function drive(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    ...(options.bodies ? { setupClient: bodyPerConnection(options.bodies) } : {}),
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds }),
    timeout: 10,
  })
  const statuses = { '1xx': result['1xx'], '2xx': result['2xx'], '3xx': result['3xx'], '4xx': result['4xx'], '5xx': result['5xx'] }
  const refusals = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, stat]) => `${code}×${stat.count ?? 0}`)
    .join(' ')
  return {
    refusals,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    statuses,
    total: Object.values(statuses).reduce((a, b) => a + b, 0),
  }
}
