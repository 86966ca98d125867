import { UpstreamError, type UpstreamFailure } from './errors.js'

export interface UpstreamHttpOptions {
  /** Per attempt, covering the headers and the whole body. */
  timeoutMs: number
  /** Further attempts after the first, for failures that may pass (network, timeout, 5xx). */
  retries: number
  userAgent: string
  fetchImpl: typeof fetch
  sleep: (ms: number) => Promise<void>
}

export type UpstreamResponse = { status: 'ok'; bytes: Uint8Array } | { status: 'not_found' }

/** 200 ms, 800 ms, 3.2 s …: long enough for a blip to pass, short enough for a waiting request. */
export const backoffMs = (retry: number) => 200 * 4 ** retry

/** One failed attempt; becomes an UpstreamError once the retries are spent. */
class AttemptFailure {
  constructor(
    readonly reason: UpstreamFailure,
    readonly retryable: boolean,
    readonly status?: number,
    readonly cause?: unknown,
  ) {}
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {})
}

async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    await discard(response)
    throw new AttemptFailure('too_large', false)
  }
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await reader.cancel().catch(() => {})
        throw new AttemptFailure('too_large', false)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof AttemptFailure) throw error
    throw new AttemptFailure(signal.aborted ? 'timeout' : 'network', true, undefined, error)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function describe(failure: AttemptFailure, attempts: number, maxBytes: number): string {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`
  switch (failure.reason) {
    case 'timeout':
      return `BOM did not answer in time (${tries})`
    case 'network':
      return `BOM could not be reached (${tries})`
    case 'too_large':
      return `BOM sent more than ${maxBytes} bytes`
    case 'status':
      return `BOM answered HTTP ${failure.status} (${tries})`
  }
}

/**
 * GETs from BOM: a 404 is an answer (the page or month is not online), other failures are retried
 * when they may pass and end as an UpstreamError.
 */
export function createUpstreamHttp({ timeoutMs, retries, userAgent, fetchImpl, sleep }: UpstreamHttpOptions) {
  async function attempt(url: string, maxBytes: number, accept: string): Promise<UpstreamResponse> {
    const signal = AbortSignal.timeout(timeoutMs)
    let response: Response
    try {
      response = await fetchImpl(url, { signal, redirect: 'follow', headers: { 'user-agent': userAgent, accept } })
    } catch (error) {
      throw new AttemptFailure(signal.aborted ? 'timeout' : 'network', true, undefined, error)
    }
    if (response.status === 404) {
      await discard(response)
      return { status: 'not_found' }
    }
    if (!response.ok) {
      await discard(response)
      throw new AttemptFailure('status', response.status >= 500, response.status)
    }
    return { status: 'ok', bytes: await readCapped(response, maxBytes, signal) }
  }

  async function get(url: string, options: { maxBytes: number; accept: string }): Promise<UpstreamResponse> {
    for (let attempts = 1; ; attempts++) {
      try {
        return await attempt(url, options.maxBytes, options.accept)
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error
        const failure = error
        if (!failure.retryable || attempts > retries) {
          throw new UpstreamError(
            describe(failure, attempts, options.maxBytes),
            { url, reason: failure.reason, attempts, ...(failure.status === undefined ? {} : { status: failure.status }) },
            { cause: failure.cause },
          )
        }
        await sleep(backoffMs(attempts - 1))
      }
    }
  }

  return { get }
}

export type UpstreamHttp = ReturnType<typeof createUpstreamHttp>
