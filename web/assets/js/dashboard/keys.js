import { api } from '../api.js'
import { copyText } from '../clipboard.js'
import { byId, el, say } from '../dom.js'
import { formatDuration, formatInstant } from '../format.js'
import { handleForm } from '../forms.js'
import { messageFor } from '../messages.js'

const STATUS = {
  active: ['Active', 'success'],
  deactivated: ['Deactivated', 'error'],
  expired: ['Expired', 'error'],
}

function statusPill(key) {
  const [text, tone] = STATUS[key.status] ?? ['Unknown', 'warning']
  // An active key with an end date is retiring (after a rotation) or set to expire.
  const label = key.status === 'active' && key.expires_at ? `Active until ${formatInstant(key.expires_at)}` : text
  return el('span', { class: 'status-pill', 'data-tone': key.status === 'active' && key.expires_at ? 'warning' : tone, text: label })
}

/** The API keys section: list, create, rename, rotate, revoke. A key's value is shown once, never listed. */
export function startKeys() {
  const status = byId('keys-status')
  const panel = byId('new-key')
  const revokeDialog = byId('revoke-dialog')
  const renameDialog = byId('rename-dialog')
  const renameForm = byId('rename-form')
  let pendingRevoke = null
  let pendingRename = null

  function showSecret(title, value, note) {
    byId('new-key-title').textContent = title
    byId('new-key-value').value = value
    byId('new-key-note').textContent = note
    say(byId('new-key-copied'), '')
    panel.hidden = false
    byId('new-key-value').focus()
    byId('new-key-value').select()
  }

  function keyRow(key) {
    const nameId = `key-${key.id}-name`
    const action = (text, handler, extra = {}) =>
      el('button', { type: 'button', class: 'small secondary', 'aria-describedby': nameId, text, onClick: handler, ...extra })
    return el('tr', { 'data-key-id': key.id }, [
      el('td', { id: nameId, text: key.name }),
      el('td', { class: 'mono', text: `${key.key_prefix}…` }),
      el('td', { class: 'nowrap', text: formatInstant(key.created_at) }),
      el('td', { class: 'nowrap', text: key.last_used ? formatInstant(key.last_used) : 'Never' }),
      el('td', {}, [statusPill(key)]),
      el('td', {}, [el('div', { class: 'actions' }, [
        action('Rename', () => openRename(key)),
        key.status === 'active' && action('Rotate', (event) => rotate(key, event.currentTarget)),
        action('Revoke', () => openRevoke(key), { class: 'small danger' }),
      ])]),
    ])
  }

  async function list() {
    try {
      const { api_keys } = await api('/api/keys?include_inactive=true', { auth: true })
      const rows = api_keys.map(keyRow)
      if (rows.length === 0) rows.push(el('tr', {}, [el('td', { colspan: 6, text: 'No keys yet. Create one above to call the API.' })]))
      byId('key-rows').replaceChildren(...rows)
    } catch (error) {
      say(status, `The keys could not be loaded: ${messageFor(error)}`, 'error')
    }
  }

  async function rotate(key, button) {
    button.disabled = true
    say(status, `Rotating “${key.name}”…`, 'progress')
    try {
      const answer = await api(`/api/keys/${key.id}/rotate`, { method: 'POST', auth: true })
      const grace = formatDuration(answer.api_key.created_at, answer.old_key_expires_at)
      showSecret(`Key “${key.name}” rotated.`, answer.key_value,
        `The old key keeps working for ${grace}, until ${formatInstant(answer.old_key_expires_at)}: switch your programs to the new one before then.`)
      say(status, '')
      await list()
    } catch (error) {
      say(status, `The key could not be rotated: ${messageFor(error)}`, 'error')
      button.disabled = false
    }
  }

  function openRevoke(key) {
    pendingRevoke = key
    byId('revoke-text').textContent = `“${key.name}” (${key.key_prefix}…) stops working at once, for every program that uses it. Its usage history is kept.`
    revokeDialog.showModal()
  }

  function openRename(key) {
    pendingRename = key
    renameForm.elements.namedItem('name').value = key.name
    renameDialog.showModal()
  }

  byId('revoke-cancel').addEventListener('click', () => revokeDialog.close())
  byId('revoke-confirm').addEventListener('click', async () => {
    const key = pendingRevoke
    revokeDialog.close()
    say(status, `Revoking “${key.name}”…`, 'progress')
    try {
      await api(`/api/keys/${key.id}`, { method: 'DELETE', auth: true })
      say(status, `Key “${key.name}” revoked: it no longer works.`, 'success')
      await list()
    } catch (error) {
      say(status, `The key could not be revoked: ${messageFor(error)}`, 'error')
    }
  })

  byId('rename-cancel').addEventListener('click', () => renameDialog.close())
  handleForm(renameForm, async (values) => {
    await api(`/api/keys/${pendingRename.id}`, { method: 'PUT', auth: true, body: { name: values.name } })
    renameDialog.close()
    say(status, `Key renamed to “${values.name.trim()}”.`, 'success')
    await list()
  }, { progress: 'Saving…' })

  const createForm = byId('create-key-form')
  handleForm(createForm, async (values) => {
    const name = values.name.trim()
    const answer = await api('/api/keys', { method: 'POST', auth: true, body: name ? { name } : {} })
    createForm.reset()
    showSecret(`Key “${answer.api_key.name}” created.`, answer.key_value, 'Use it in the X-API-Key header of your requests.')
    await list()
  }, { progress: 'Creating the key…', fieldFor: { KEY_LIMIT_REACHED: 'name' } })

  byId('new-key-copy').addEventListener('click', () => copyText(byId('new-key-value').value, byId('new-key-copied'), byId('new-key-value')))
  byId('new-key-done').addEventListener('click', () => {
    panel.hidden = true
    byId('new-key-value').value = ''
  })

  return { list }
}
