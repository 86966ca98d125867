import { apiError } from '../errors.js'

/**
 * Embeddings and overrides of text direction: shown in an email or the admin list they can make
 * a name read as something else ("Admin" written backwards, a fake file extension).
 */
const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/

/** Refuses a name a person chose if it holds characters that can disguise how it reads. */
export function assertPlainName(name: string | undefined, field: string): void {
  if (name !== undefined && DIRECTION_CONTROLS.test(name)) {
    throw apiError('INVALID_NAME', { extra: { details: [{ field, message: 'must not contain text-direction control characters' }] } })
  }
}
