import { api, keepSession } from '../api.js'
import { byId, say } from '../dom.js'
import { formatInstant } from '../format.js'
import { handleForm } from '../forms.js'
import { messageFor } from '../messages.js'
import { logOut } from '../session.js'

/** The account section and the verification notice: who you are, password, sessions. */
export function startAccount(user) {
  byId('account-name').textContent = user.full_name
  byId('account-email').textContent = user.email
  byId('account-verified').textContent = user.email_verified ? 'Yes' : 'Not yet'
  byId('account-created').textContent = formatInstant(user.created_at)
  byId('unverified').hidden = user.email_verified

  byId('unverified-resend').addEventListener('click', async (event) => {
    const button = event.currentTarget
    button.disabled = true
    try {
      const answer = await api('/api/auth/resend-verification', { method: 'POST', body: { email: user.email } })
      button.replaceWith(answer.message)
    } catch (error) {
      button.disabled = false
      button.after(` ${messageFor(error)}`)
    }
  })

  const passwordForm = byId('password-form')
  handleForm(passwordForm, async (values) => {
    keepSession(await api('/api/auth/change-password', { method: 'POST', auth: true, cookieSession: true, body: values }))
    passwordForm.reset()
    return 'Password changed. Your other sessions have been logged out.'
  }, {
    progress: 'Changing your password…',
    fieldFor: { INVALID_CREDENTIALS: 'current_password' },
    messages: { INVALID_CREDENTIALS: 'That is not your current password.' },
  })

  const sessions = byId('sessions-status')
  byId('logout-everywhere').addEventListener('click', async (event) => {
    event.currentTarget.disabled = true
    say(sessions, 'Logging out everywhere…', 'progress')
    try {
      await logOut({ everywhere: true })
    } catch (error) {
      event.target.disabled = false
      say(sessions, messageFor(error), 'error')
    }
  })
}
