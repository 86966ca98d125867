/** BOM answered something that is not the format we know; we refuse rather than guess. */
export class BomFormatError extends Error {
  override readonly name = 'BomFormatError'
  /** 1-based line of the CSV where the problem was found, when there is one. */
  readonly line: number | undefined

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `${message} (line ${line})`)
    this.line = line
  }
}

export type UpstreamFailure = 'network' | 'timeout' | 'status' | 'too_large'

export interface UpstreamErrorDetails {
  url: string
  reason: UpstreamFailure
  /** The HTTP status, when BOM answered one. */
  status?: number
  /** How many requests were made before giving up. */
  attempts: number
}

/** BOM could not be reached or did not answer usefully, after the retries it deserves. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError'
  readonly url: string
  readonly reason: UpstreamFailure
  readonly status: number | undefined
  readonly attempts: number

  constructor(message: string, details: UpstreamErrorDetails, options?: { cause?: unknown }) {
    super(message, options)
    this.url = details.url
    this.reason = details.reason
    this.status = details.status
    this.attempts = details.attempts
  }
}
