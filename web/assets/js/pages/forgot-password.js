import { api } from '../api.js'
import { byId } from '../dom.js'
import { handleForm } from '../forms.js'

handleForm(byId('forgot-form'), async (values) => {
  const answer = await api('/api/auth/forgot-password', { method: 'POST', body: values })
  return `${answer.message} The link works for one hour; check your spam folder if it does not arrive.`
}, { progress: 'Sending the link…' })
