import { api } from '../api.js'
import { byId, say } from '../dom.js'
import { messageFor } from '../messages.js'
import { logOut, requireSession } from '../session.js'
import { startAccount } from '../dashboard/account.js'
import { startKeys } from '../dashboard/keys.js'
import { startPlayground } from '../dashboard/playground.js'
import { startRecent } from '../dashboard/recent.js'
import { startUsage } from '../dashboard/usage.js'

const loading = byId('dashboard-loading')

byId('logout').addEventListener('click', async (event) => {
  event.currentTarget.disabled = true
  try {
    await logOut()
  } catch (error) {
    event.target.disabled = false
    say(byId('connection'), `Logging out failed: ${messageFor(error)}`, 'error')
  }
})

async function start() {
  await requireSession()
  const [{ user }, { tiers }] = await Promise.all([api('/api/auth/me', { auth: true }), api('/api/tiers')])
  startAccount(user)
  byId('dashboard').hidden = false
  let recent = null
  const usage = startUsage({ tiers, onChange: () => recent?.refresh() })
  recent = startRecent({ month: usage.month })
  const keys = startKeys()
  startPlayground({ onRun: () => usage.poll().catch(() => {}) })
  await Promise.all([usage.poll(), keys.list(), recent.refresh()])
  say(loading, '')
}

start().catch((error) => {
  say(loading, `Your dashboard could not be loaded: ${messageFor(error)} Reload the page to try again.`, 'error')
})
