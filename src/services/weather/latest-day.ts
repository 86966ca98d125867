import { addDays } from './dates.js'
import type { ObservationStore } from './observation-store.js'

/** How many days before today a request without dates looks back for observations. */
export const LATEST_DAY_LOOKBACK_DAYS = 7

export type LatestDay = { day: string } | { day: null; upstreamUnavailable: boolean }

/**
 * The day a request without dates is answered with: the latest day before today that has a
 * record. Today is left out because its observations are still being made (BOM writes the 9am
 * figures in the morning and the day's extremes after it ends), so it is never a useful answer.
 */
export async function latestObservedDay(store: ObservationStore, pageId: string, today: string): Promise<LatestDay> {
  const stored = await store.read(pageId, addDays(today, -LATEST_DAY_LOOKBACK_DAYS), addDays(today, -1))
  const latest = stored.records.at(-1)
  if (latest) return { day: latest.date }
  return { day: null, upstreamUnavailable: stored.unavailableMonths.length > 0 }
}
