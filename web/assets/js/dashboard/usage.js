import { api } from '../api.js'
import { daysOfMonth, dailyChart } from '../chart.js'
import { connection } from '../connection.js'
import { byId, el } from '../dom.js'
import { formatInstant, formatInstantWithZone, formatMs, formatNumber, formatUtcDay } from '../format.js'

/** How often the month's counters are read while the page is visible: live, and cheap (one indexed row). */
export const USAGE_POLL_MS = 3_000

function showMonth({ usage, quota, tier }, tiers) {
  const limited = quota.quota_limit !== null
  byId('usage-used').textContent = formatNumber(quota.requests_used)
  byId('usage-of').textContent = limited ? `of ${formatNumber(quota.quota_limit)} requests used` : 'requests this month (unlimited tier)'
  const meter = byId('usage-meter')
  meter.hidden = !limited
  if (limited) {
    const percent = Math.min(100, quota.percentage_used)
    meter.setAttribute('aria-valuenow', String(Math.round(percent)))
    meter.setAttribute('aria-valuetext', `${quota.percentage_used}% of the monthly quota used`)
    const fill = byId('usage-meter-fill')
    fill.style.width = `${percent}%`
    fill.dataset.level = percent >= 100 ? 'full' : percent >= 80 ? 'high' : 'normal'
  }
  byId('usage-remaining').textContent = limited ? formatNumber(quota.requests_remaining) : 'Unlimited'
  byId('usage-resets').textContent = formatInstantWithZone(quota.resets_at)
  const tierInfo = tiers.find((t) => t.name === tier)
  byId('usage-tier').textContent = tier.charAt(0).toUpperCase() + tier.slice(1)
  byId('usage-rate').textContent = tierInfo ? `${formatNumber(tierInfo.rate_limit_per_hour)} requests an hour` : '—'
  byId('usage-failed').textContent = formatNumber(usage.failed_requests)
  byId('usage-average').textContent = usage.total_requests > 0 ? formatMs(usage.average_response_time_ms) : '—'
  byId('usage-updated').textContent = `Last counted request: ${formatInstant(usage.last_updated)}. Updates live.`
}

function showDaily(chart, { month, daily_usage }) {
  const byDay = new Map(daily_usage.map((d) => [d.date, d]))
  const days = daysOfMonth(month)
  const requests = days.map((d) => byDay.get(d)?.request_count ?? 0)
  const failed = days.map((d) => {
    const day = byDay.get(d)
    return day ? day.request_count - day.successful_count : 0
  })
  chart.show(days, [requests, failed])
  byId('daily-rows').replaceChildren(...daily_usage.map((d) => el('tr', {}, [
    el('td', { text: formatUtcDay(d.date) }),
    el('td', { class: 'number', text: formatNumber(d.request_count) }),
    el('td', { class: 'number', text: formatNumber(d.request_count - d.successful_count) }),
  ])))
  if (daily_usage.length === 0) byId('daily-rows').append(el('tr', {}, [el('td', { colspan: 3, text: 'No requests yet this month.' })]))
}

function showBreakdown({ breakdown }) {
  const rows = breakdown.map((b) => el('tr', {}, [
    el('td', { class: 'mono', text: b.endpoint }),
    el('td', { class: 'number', text: formatNumber(b.request_count) }),
    el('td', { class: 'number', text: formatNumber(b.successful_count) }),
    el('td', { class: 'number', text: formatMs(b.avg_response_time) }),
  ]))
  if (rows.length === 0) rows.push(el('tr', {}, [el('td', { colspan: 4, text: 'No requests yet this month.' })]))
  byId('breakdown-rows').replaceChildren(...rows)
}

/**
 * The month's figures, kept live: the counters are polled while the page is visible, and the
 * chart, breakdown and `onChange` listeners are refreshed only when the count moved.
 */
export function startUsage({ tiers, onChange }) {
  const chart = dailyChart(byId('daily-chart'), [
    { label: 'Requests', color: '#0b5cad', kind: 'bars' },
    { label: 'Failed', color: '#b3261e', kind: 'bars' },
  ], { yLabel: 'Requests' })
  let lastCount = null
  let month = null
  let timer = null

  async function refreshDetails() {
    const [daily, breakdown] = await Promise.all([
      api(`/api/usage/daily?month=${month}`, { auth: true }),
      api(`/api/usage/breakdown?month=${month}`, { auth: true }),
    ])
    showDaily(chart, daily)
    showBreakdown(breakdown)
    onChange()
  }

  async function poll() {
    clearTimeout(timer)
    try {
      const monthly = await api('/api/usage/monthly', { auth: true })
      connection.ok()
      showMonth(monthly, tiers)
      month = monthly.usage.month
      const count = monthly.usage.total_requests
      if (count !== lastCount) {
        lastCount = count
        await refreshDetails()
      }
    } catch (error) {
      if (!connection.report(error)) throw error
    } finally {
      if (document.visibilityState === 'visible') timer = setTimeout(() => poll().catch(() => {}), USAGE_POLL_MS)
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') poll().catch(() => {})
  })
  return { poll, month: () => month }
}
