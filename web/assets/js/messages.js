/** Readable sentences for the API's stable error codes, for people rather than programs. */

import { formatInstantWithZone, formatNumber } from './format.js'

const minutes = (seconds) => Math.max(1, Math.ceil(seconds / 60))

/** @type {Record<string, (error: import('./api.js').ApiError) => string>} */
const BY_CODE = {
  NETWORK_ERROR: () => 'The service could not be reached. Check your connection and try again.',
  SERVICE_UNAVAILABLE: () => 'The service is busy right now. Try again in a few seconds.',
  INTERNAL_ERROR: () => 'Something went wrong on our side. Try again; if it keeps happening, contact support.',
  UNEXPECTED: (e) => `The service answered unexpectedly (${e.status}). Try again.`,
  INVALID_CREDENTIALS: () => 'That email and password do not match an account.',
  ACCOUNT_LOCKED: (e) => `Too many failed attempts. This account is locked for ${minutes(e.body.retry_after ?? 900)} more minutes; you can still reset the password.`,
  ACCOUNT_DISABLED: () => 'This account has been deactivated. Contact support if you think this is a mistake.',
  EMAIL_NOT_VERIFIED: () => 'Verify your email address first: open the link we emailed you.',
  EMAIL_TAKEN: () => 'An account with this email already exists. Log in, or reset its password.',
  // Data routes limit the account (and say so in rate_limit); auth routes limit the network.
  RATE_LIMITED: (e) => e.body.rate_limit
    ? `Your account has used its ${formatNumber(e.body.rate_limit.limit_per_hour)} requests this hour (${e.body.rate_limit.tier} tier, all your keys together). The limit resets at ${formatInstantWithZone(e.body.rate_limit.resets_at)}.`
    : `Too many attempts from your network. Wait ${e.body.retry_after ?? 60} seconds and try again.`,
  KEY_ROTATING: () => 'This key has already been rotated: use its replacement, listed under the same name. This one stops working when its grace period ends.',
  QUOTA_EXCEEDED: () => 'Your monthly quota is used up. It resets at the start of next month (UTC).',
  PAYLOAD_TOO_LARGE: () => 'That is too much text for this form.',
}

/** What went wrong, in a sentence; the API's own sentence where no better one is known. */
export function messageFor(error) {
  const byCode = BY_CODE[error.code]
  if (byCode) return byCode(error)
  return error.message || 'Something went wrong. Try again.'
}

/** The API's sentence for a field ("must be at least 8 characters"), said of its label. */
export function fieldMessage(label, apiMessage) {
  return `${label} ${apiMessage.replace(/\.$/, '')}.`
}
