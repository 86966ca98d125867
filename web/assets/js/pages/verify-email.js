import { api } from '../api.js'
import { byId, say } from '../dom.js'
import { handleForm } from '../forms.js'
import { linkProblem } from '../link-problems.js'
import { takeTokenFromAddress } from '../token-link.js'

const token = takeTokenFromAddress()
const status = byId('verify-status')

function offerResend(text) {
  say(status, text, 'error')
  byId('verify-failed').hidden = false
}

async function verify() {
  if (!token) return offerResend(linkProblem('missing', 'verify'))
  try {
    const { user } = await api('/api/auth/verify-email', { method: 'POST', body: { token } })
    say(status, `Thank you: ${user.email} is verified.`, 'success')
    byId('verify-done').hidden = false
  } catch (error) {
    if (error.code === 'INVALID_TOKEN') return offerResend(linkProblem(error.body.reason, 'verify'))
    offerResend(linkProblem('unreachable', 'verify', error))
  }
}

handleForm(byId('verify-resend-form'), async (values) => {
  const answer = await api('/api/auth/resend-verification', { method: 'POST', body: values })
  return answer.message
}, { progress: 'Sending…' })

verify()
