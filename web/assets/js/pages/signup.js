import { api, keepSession } from '../api.js'
import { byId, say } from '../dom.js'
import { handleForm } from '../forms.js'

const form = byId('signup-form')

handleForm(form, async (values) => {
  const answer = await api('/api/auth/signup', { method: 'POST', body: values, cookieSession: true })
  if (answer.auto_login) {
    keepSession(answer)
    location.assign('/dashboard')
    return 'Account created. Opening your dashboard…'
  }
  // Verification is required first: the same answer whether or not the address had an account.
  form.hidden = true
  say(byId('signup-done'), answer.message, 'success')
}, { progress: 'Creating your account…', fieldFor: { EMAIL_TAKEN: 'email' } })
