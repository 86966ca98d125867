import { api } from '../api.js'
import { byId, el, say } from '../dom.js'
import { formatNumber } from '../format.js'
import { messageFor } from '../messages.js'

/** The price list, read from the tiers table so the page never disagrees with the service. */
function tierCard(tier) {
  const quota = tier.monthly_quota === null ? 'Unlimited requests a month' : `${formatNumber(tier.monthly_quota)} requests a month`
  return el('article', { class: 'card tier' }, [
    el('h3', { text: tier.name }),
    el('ul', {}, [
      el('li', { text: quota }),
      el('li', { text: `Up to ${formatNumber(tier.rate_limit_per_hour)} requests an hour` }),
      el('li', { text: `${formatNumber(tier.max_api_keys)} active API keys` }),
    ]),
  ])
}

async function showTiers() {
  const status = byId('tiers-status')
  try {
    const { tiers } = await api('/api/tiers')
    byId('tiers').replaceChildren(...tiers.map(tierCard))
    say(status, '')
  } catch (error) {
    say(status, `The prices could not be loaded: ${messageFor(error)}`, 'error')
  }
}

byId('api-origin').textContent = location.origin
showTiers()
