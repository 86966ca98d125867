import { api } from '../api.js'
import { byId, say } from '../dom.js'
import { formatInstant } from '../format.js'
import { handleForm } from '../forms.js'
import { takeTokenFromAddress } from '../token-link.js'
import { linkProblem } from '../link-problems.js'

const token = takeTokenFromAddress()
const form = byId('reset-form')
const checking = byId('reset-checking')

function showProblem(text) {
  say(checking, '')
  form.hidden = true
  byId('reset-invalid').hidden = false
  say(byId('reset-invalid-message'), text, 'error')
}

async function checkLink() {
  if (!token) return showProblem(linkProblem('missing', 'reset'))
  try {
    const { expires_at } = await api('/api/auth/reset-password/check', { method: 'POST', body: { token } })
    say(checking, '')
    byId('reset-expiry').textContent = `This link works until ${formatInstant(expires_at)}.`
    form.hidden = false
    byId('reset-password').focus()
  } catch (error) {
    if (error.code === 'INVALID_TOKEN') return showProblem(linkProblem(error.body.reason, 'reset'))
    say(checking, linkProblem('unreachable', 'reset', error), 'error')
  }
}

handleForm(form, async (values) => {
  try {
    await api('/api/auth/reset-password', { method: 'POST', body: { token, new_password: values.new_password } })
  } catch (error) {
    if (error.code === 'INVALID_TOKEN') return showProblem(linkProblem(error.body.reason, 'reset'))
    throw error
  }
  form.hidden = true
  byId('reset-done').hidden = false
}, { progress: 'Saving your new password…' })

checkLink()
