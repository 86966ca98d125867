/**
 * The one client the pages share for the JSON API. The access token lives in this module's
 * memory only; the refresh token is an HttpOnly cookie the browser sends to /api/auth, which no
 * script can read (see the README's "Pages" section for why).
 */

/** Asks the auth routes to set and read the refresh token as a cookie instead of the body. */
const COOKIE_SESSION = { 'x-refresh-cookie': '1' }
/** Refusals of an access token that a refresh may cure. */
const RENEWABLE = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN', 'SESSION_ENDED'])
/** Refresh a little before the access token expires, so a request rarely meets an expired one. */
const REFRESH_MARGIN_MS = 60_000

export class ApiError extends Error {
  /**
   * @param {{ status: number, code: string, message: string, body?: any }} init
   */
  constructor({ status, code, message, body }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.body = body ?? {}
  }

  /** Field name → the API's message for it, from a validation error's details. */
  get fields() {
    const fields = {}
    for (const detail of this.body.details ?? []) fields[detail.field] ??= detail.message
    return fields
  }
}

/** Thrown when the session is over (refresh refused): the page sends the user to /login. */
export class SessionEnded extends Error {
  constructor() {
    super('The session has ended')
    this.name = 'SessionEnded'
  }
}

let accessToken = null
let refreshTimer = null
let refreshing = null
const sessionEndedListeners = new Set()

/** Called when a refresh is refused while a page is open (logged out elsewhere, password reset). */
export function onSessionEnded(listener) {
  sessionEndedListeners.add(listener)
}

function sessionEnded() {
  forgetSession()
  for (const listener of sessionEndedListeners) listener()
  return new SessionEnded()
}

/** Keeps the access token of a login, signup, refresh or password change. */
export function keepSession(tokens) {
  accessToken = tokens.access_token
  clearTimeout(refreshTimer)
  const delay = Math.max(5_000, tokens.expires_in * 1000 - REFRESH_MARGIN_MS)
  refreshTimer = setTimeout(() => refreshSession().catch(() => {}), delay)
}

export function forgetSession() {
  accessToken = null
  clearTimeout(refreshTimer)
}

export function hasSession() {
  return accessToken !== null
}

/** fetch, with a network failure turned into an ApiError the pages can show. */
async function send(path, { method = 'GET', body, headers = {} } = {}) {
  try {
    return await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch {
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'The service could not be reached' })
  }
}

async function errorFrom(response) {
  let body = {}
  try {
    body = await response.json()
  } catch {
    // A proxy's HTML error page, say: keep the status.
  }
  return new ApiError({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : response.status >= 500 ? 'INTERNAL_ERROR' : 'UNEXPECTED',
    message: typeof body.error === 'string' ? body.error : `The service answered ${response.status}`,
    body,
  })
}

async function exchangeRefreshCookie() {
  const response = await send('/api/auth/refresh', { method: 'POST', body: {}, headers: COOKIE_SESSION })
  if (response.ok) {
    keepSession(await response.json())
    return
  }
  const error = await errorFrom(response)
  if (response.status === 401) throw sessionEnded()
  throw error
}

/**
 * Gets a new access token with the refresh cookie. One refresh at a time per tab, and across the
 * tabs of this origin (a Web Lock), so two tabs never present the same refresh token.
 */
export function refreshSession() {
  refreshing ??= (navigator.locks ? navigator.locks.request('fetcha-refresh', exchangeRefreshCookie) : exchangeRefreshCookie()).finally(() => {
    refreshing = null
  })
  return refreshing
}

/**
 * Calls the API and answers the parsed JSON body, or throws an ApiError. With `auth`, the access
 * token goes along; an expired one is refreshed once, without the user noticing.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, auth?: boolean, cookieSession?: boolean, raw?: boolean, headers?: Record<string, string> }} [options]
 */
export async function api(path, { method = 'GET', body, auth = false, cookieSession = false, raw = false, headers = {} } = {}) {
  const attempt = async () => {
    if (auth && !accessToken) await refreshSession()
    return send(path, {
      method,
      body,
      headers: { ...headers, ...(auth ? { authorization: `Bearer ${accessToken}` } : {}), ...(cookieSession ? COOKIE_SESSION : {}) },
    })
  }
  let response = await attempt()
  if (auth && response.status === 401) {
    const error = await errorFrom(response)
    // An ended session may have a successor in the cookie (a password changed in another tab).
    if (!RENEWABLE.has(error.code)) throw error
    await refreshSession()
    response = await attempt()
    if (response.status === 401) throw sessionEnded()
  }
  if (!response.ok) throw await errorFrom(response)
  return raw ? response : response.json()
}
