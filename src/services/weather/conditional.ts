import { createHash } from 'node:crypto'

/** A day's figures stop changing once the day is over: an answer about past days may be kept this long. */
export const PAST_RANGE_CACHE_CONTROL = 'private, max-age=86400'

/** A strong validator of an answer's content. */
export function contentEtag(content: Buffer | string): string {
  return `"${createHash('sha256').update(content).digest('base64url')}"`
}

/** `If-None-Match` holds `etag` or `*`; as RFC 9110 asks for this header, a `W/` prefix is ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((tag) => {
    const value = tag.trim()
    return value === '*' || value.replace(/^W\//, '') === etag
  })
}
