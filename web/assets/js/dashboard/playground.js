import { api } from '../api.js'
import { dailyChart } from '../chart.js'
import { copyText } from '../clipboard.js'
import { byId, el, say } from '../dom.js'
import { formatNumber } from '../format.js'
import { formStatus, handleForm } from '../forms.js'

const STATION_SEARCH_DELAY_MS = 300

/** The request as a command line, with the key left in an environment variable, never on screen. */
function curlLine(url) {
  return `curl -H "X-API-Key: $FETCHA_API_KEY" "${url}"`
}

function isoDay(date) {
  return date.toISOString().slice(0, 10)
}

/** The query playground: a real, metered request with a pasted key, its answer, a chart and curl. */
export function startPlayground({ onRun }) {
  const form = byId('playground-form')
  const keyInput = byId('play-key')
  const stateSelect = byId('play-state')
  const locationInput = byId('play-location')
  const chart = dailyChart(byId('play-chart'), [
    { label: 'Minimum °C', color: '#0b5cad', kind: 'line' },
    { label: 'Maximum °C', color: '#b3261e', kind: 'line' },
    { label: 'Rainfall mm', color: '#146c2e', kind: 'bars', scale: 'y2' },
  ], { yLabel: '°C', y2Label: 'mm' })

  // A week ending yesterday: the latest full days.
  const yesterday = new Date(Date.now() - 86_400_000)
  byId('play-to').value = isoDay(yesterday)
  byId('play-from').value = isoDay(new Date(yesterday.getTime() - 6 * 86_400_000))

  api('/api/weather/states').then(({ states }) => {
    stateSelect.replaceChildren(...states.map((s) => el('option', { value: s.code, text: `${s.name} (${s.code})`, selected: s.code === 'VIC' })))
  }).catch((error) => formStatus(form, `The states could not be loaded: ${error.message}`, 'error'))

  // The catalogue needs a key too: it is searched as soon as one is pasted.
  let searchTimer = null
  function searchStations() {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(async () => {
      const key = keyInput.value.trim()
      if (!key || !stateSelect.value) return
      const query = new URLSearchParams({ state: stateSelect.value, q: locationInput.value.trim(), limit: '50' })
      try {
        const { stations } = await api(`/api/weather/stations?${query}`, { headers: { 'x-api-key': key } })
        byId('play-stations').replaceChildren(...stations.map((s) => el('option', { value: s.name })))
      } catch {
        // A wrong key is reported when the request is run; the list just stays as it was.
      }
    }, STATION_SEARCH_DELAY_MS)
  }
  for (const input of [keyInput, stateSelect, locationInput]) input.addEventListener('input', searchStations)

  handleForm(form, async (values) => {
    const query = new URLSearchParams({ location: values.location, state: values.state, date_from: values.date_from, date_to: values.date_to })
    const path = `/api/weather/location?${query}`
    byId('play-curl').textContent = curlLine(`${location.origin}${path}`)
    let answer
    try {
      answer = await api(path, { headers: { 'x-api-key': values.key.trim() } })
    } finally {
      onRun()
    }
    const days = answer.data.map((d) => d.date)
    chart.show(days, [answer.data.map((d) => d.minimum_temperature_c), answer.data.map((d) => d.maximum_temperature_c), answer.data.map((d) => d.rainfall_mm)])
    byId('play-json').textContent = JSON.stringify(answer, null, 2)
    const remaining = answer.meta.quota_remaining === null ? 'unlimited' : formatNumber(answer.meta.quota_remaining)
    byId('play-summary').textContent = `${answer.station_name} (${answer.station_id}): ${answer.metadata.records_returned} of ${answer.metadata.requested_dates} days. Quota remaining: ${remaining}.`
    byId('play-result').hidden = false
    return 'Done: the answer is below.'
  }, {
    progress: 'Running the request…',
    fieldFor: {
      API_KEY_MISSING: 'key', API_KEY_MALFORMED: 'key', API_KEY_INVALID: 'key', API_KEY_INACTIVE: 'key', API_KEY_REVOKED: 'key', API_KEY_EXPIRED: 'key',
      INVALID_STATE: 'state', LOCATION_NOT_FOUND: 'location', INVALID_DATE: 'date_from', RANGE_TOO_LARGE: 'date_to',
    },
  })

  byId('play-curl-copy').addEventListener('click', () => copyText(byId('play-curl').textContent ?? '', byId('play-curl-copied')))
}
