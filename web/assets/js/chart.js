import uPlot from '/assets/vendor/uplot/uPlot.esm.js'

const HEIGHT = 240
const DAY_SECONDS = 86_400
const dayLabelFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' })
const dayLabel = (seconds) => dayLabelFormat.format(new Date(seconds * 1000))

/**
 * A uPlot chart of daily values that follows its container's width. Series are
 * `{ label, color, kind: 'bars' | 'line', scale? }`; `days` are UTC dates (YYYY-MM-DD).
 */
export function dailyChart(container, seriesSpecs, { yLabel = '', y2Label = '' } = {}) {
  const bars = uPlot.paths.bars({ size: [0.7, 40], align: 0 })
  const options = {
    width: Math.max(240, container.clientWidth),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] }, y2: { auto: true } },
    axes: [
      // Whole days only: the data has one value a day, so hours on the axis would mislead.
      { space: 44, incrs: [DAY_SECONDS, 2 * DAY_SECONDS, 7 * DAY_SECONDS, 14 * DAY_SECONDS], values: (_u, splits) => splits.map(dayLabel) },
      { label: yLabel, size: 50 },
      ...(seriesSpecs.some((s) => s.scale === 'y2') ? [{ scale: 'y2', side: 1, label: y2Label, grid: { show: false }, size: 50 }] : []),
    ],
    series: [
      { label: 'Day', value: (_u, ts) => (ts == null ? '' : new Date(ts * 1000).toISOString().slice(0, 10)) },
      ...seriesSpecs.map((s) => ({
        label: s.label,
        scale: s.scale ?? 'y',
        stroke: s.color,
        fill: s.kind === 'bars' ? `${s.color}cc` : undefined,
        width: s.kind === 'bars' ? 0 : 2,
        paths: s.kind === 'bars' ? bars : undefined,
        points: { show: s.kind !== 'bars' },
      })),
    ],
  }
  const plot = new uPlot(options, [[], ...seriesSpecs.map(() => [])], container)
  new ResizeObserver(() => plot.setSize({ width: Math.max(240, container.clientWidth), height: HEIGHT })).observe(container)
  return {
    /** @param {string[]} days @param {(number | null)[][]} values one array per series */
    show(days, values) {
      plot.setData([days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), ...values])
    },
  }
}

/** Every UTC day of a month (YYYY-MM), in order. */
export function daysOfMonth(month) {
  const start = Date.parse(`${month}-01T00:00:00Z`)
  const [year, m] = month.split('-').map(Number)
  const next = Date.UTC(year, m, 1)
  const days = []
  for (let t = start; t < next; t += DAY_SECONDS * 1000) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}
