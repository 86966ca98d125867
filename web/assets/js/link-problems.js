import { messageFor } from './messages.js'

/** What the two token pages say when their link cannot be used, and what to do next. */
const PROBLEMS = {
  reset: {
    used: 'This reset link has already been used. If you did not change your password just now, request a new link.',
    expired: 'This reset link has expired: links work for one hour. Request a new one.',
    unknown: 'This reset link is not valid: a newer one may have been sent, or the link was copied incompletely. Request a new one.',
    missing: 'This page needs the link from your password reset email. Open that link again, or request a new one.',
  },
  verify: {
    used: 'This verification link has already been used. If your address is verified, you can log in.',
    expired: 'This verification link has expired: links work for 24 hours. We can send a new one.',
    unknown: 'This verification link is not valid: a newer one may have been sent, or the link was copied incompletely.',
    missing: 'This page needs the link from your verification email. Open that link again, or ask for a new one.',
  },
}

/**
 * @param {string} reason `used`, `expired`, `unknown` (from the API), `missing`, or `unreachable`
 * @param {'reset' | 'verify'} page
 * @param {import('./api.js').ApiError} [error] for `unreachable`
 */
export function linkProblem(reason, page, error) {
  if (reason === 'unreachable' && error) return `Your link could not be checked: ${messageFor(error)}`
  return PROBLEMS[page][reason] ?? PROBLEMS[page].unknown
}
