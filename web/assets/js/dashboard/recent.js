import { api } from '../api.js'
import { connection } from '../connection.js'
import { byId, el, say } from '../dom.js'
import { formatInstant, formatMs } from '../format.js'
import { messageFor } from '../messages.js'

const PAGE_SIZE = 10

function requestRow(r) {
  const place = [r.location, r.state].filter(Boolean).join(', ') || '—'
  return el('tr', {}, [
    el('td', { class: 'nowrap', text: formatInstant(r.timestamp) }),
    el('td', { class: 'mono', text: r.endpoint }),
    el('td', { text: place }),
    el('td', { class: 'number' }, [el('span', { class: 'status-pill', 'data-tone': r.status_code < 300 ? 'success' : 'error', text: String(r.status_code) })]),
    el('td', { class: 'number', text: formatMs(r.response_time_ms) }),
  ])
}

function filenameOf(response, fallback) {
  const disposition = response.headers.get('content-disposition') ?? ''
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback
}

/** The recent requests, paged newest first (keyset cursors), and the month's CSV export. */
export function startRecent({ month }) {
  const status = byId('recent-status')
  const newer = byId('recent-newer')
  const older = byId('recent-older')
  // The cursor of each page shown so far; the first page has none.
  const pages = [null]
  let next = null

  async function show() {
    const before = pages[pages.length - 1]
    const query = `limit=${PAGE_SIZE}${before ? `&before=${encodeURIComponent(before)}` : ''}`
    try {
      const answer = await api(`/api/usage/recent?${query}`, { auth: true })
      const rows = answer.requests.map(requestRow)
      if (rows.length === 0) rows.push(el('tr', {}, [el('td', { colspan: 5, text: 'No requests yet. Create a key and make your first call.' })]))
      byId('recent-rows').replaceChildren(...rows)
      next = answer.next_before
      newer.disabled = pages.length === 1
      older.disabled = next === null
    } catch (error) {
      if (!connection.report(error)) say(status, messageFor(error), 'error')
    }
  }

  newer.addEventListener('click', () => {
    if (pages.length > 1) pages.pop()
    show()
  })
  older.addEventListener('click', () => {
    if (next) pages.push(next)
    show()
  })

  byId('export-csv').addEventListener('click', async (event) => {
    const button = event.currentTarget
    button.disabled = true
    say(status, 'Preparing the CSV…', 'progress')
    try {
      const response = await api(`/api/usage/export?month=${month()}&format=csv`, { auth: true, raw: true })
      const url = URL.createObjectURL(await response.blob())
      const link = el('a', { href: url, download: filenameOf(response, `usage-${month()}.csv`), hidden: true })
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      const truncated = response.headers.get('x-export-truncated') === 'true'
      say(status, truncated ? `Downloaded the first ${response.headers.get('x-export-max-rows')} rows of the month.` : 'Downloaded.', truncated ? 'warning' : 'success')
    } catch (error) {
      say(status, `The export failed: ${messageFor(error)}`, 'error')
    } finally {
      button.disabled = false
    }
  })

  return {
    /** New requests were counted: the first page shows them; a later page stays where it is. */
    refresh: () => (pages.length === 1 ? show() : undefined),
  }
}
