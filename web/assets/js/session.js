import { api, onSessionEnded, refreshSession, SessionEnded } from './api.js'

/** Why the login page was opened, said there in a sentence (see pages/login.js). */
export const LOGIN_REASONS = {
  'login-required': 'Log in to see your dashboard: this browser has no session, or it has ended.',
  'session-ended': 'Your session has ended. Log in again to continue.',
  'logged-out': 'You have logged out.',
  'logged-out-everywhere': 'You have been logged out on every device.',
  'password-changed': 'Your password has been changed. Log in with the new one.',
}

export function goToLogin(reason) {
  location.assign(`/login?reason=${encodeURIComponent(reason)}`)
}

/**
 * For pages behind a login: gets an access token with the refresh cookie, or sends the user to
 * /login with a message. Any later refusal of the session does the same.
 */
export async function requireSession() {
  onSessionEnded(() => goToLogin('session-ended'))
  try {
    await refreshSession()
  } catch (error) {
    if (error instanceof SessionEnded) {
      goToLogin('login-required')
      return new Promise(() => {})
    }
    throw error
  }
}

/** Ends this browser's session on the service, then leaves for the login page. */
export async function logOut({ everywhere = false } = {}) {
  if (everywhere) await api('/api/auth/logout-all', { method: 'POST', auth: true, cookieSession: true })
  else await api('/api/auth/logout', { method: 'POST', body: {}, cookieSession: true })
  goToLogin(everywhere ? 'logged-out-everywhere' : 'logged-out')
}
