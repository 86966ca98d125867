import { api, keepSession } from '../api.js'
import { byId, say } from '../dom.js'
import { handleForm } from '../forms.js'
import { LOGIN_REASONS } from '../session.js'

const form = byId('login-form')
const resendForm = byId('resend-form')

const reason = new URLSearchParams(location.search).get('reason')
if (reason && LOGIN_REASONS[reason]) say(byId('login-reason'), LOGIN_REASONS[reason])

handleForm(form, async (values) => {
  resendForm.hidden = true
  try {
    keepSession(await api('/api/auth/login', { method: 'POST', body: values, cookieSession: true }))
  } catch (error) {
    if (error.code === 'EMAIL_NOT_VERIFIED') resendForm.hidden = false
    throw error
  }
  location.assign('/dashboard')
  return 'Logged in. Opening your dashboard…'
}, { progress: 'Logging in…', fieldFor: { INVALID_CREDENTIALS: 'password' } })

handleForm(resendForm, async () => {
  const email = String(new FormData(form).get('email') ?? '')
  const answer = await api('/api/auth/resend-verification', { method: 'POST', body: { email } })
  return answer.message
}, { progress: 'Sending…' })
