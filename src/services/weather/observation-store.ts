import { and, asc, between, eq, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { observations, stationMonths, type StationMonth } from '../../db/schema/index.js'
import { observationFields, type ObservationRecord } from '../../domain/observation-fields.js'
import type { BomClient } from '../bom/client.js'
import { parseMonthlyCsv } from '../bom/csv.js'
import { BomFormatError, UpstreamError } from '../bom/errors.js'
import type { ChangeFeed } from '../cache/change-feed.js'
import { createInvalidatedCache } from '../cache/invalidated-cache.js'
import { createSingleFlight } from '../single-flight.js'
import { lastDayOfMonth, monthsInRange, sydneyDate } from './dates.js'
import { frozenRecords } from './record-json.js'

export interface ObservationStoreDeps {
  db: Database
  clock: Clock
  bom: Pick<BomClient, 'fetchMonthlyCsv'>
  /** How long the current month's file is trusted before it is fetched again. */
  currentMonthTtlMs: number
  log: FastifyBaseLogger
  changes: ChangeFeed
}

/** One station-month as stored: its bookkeeping row (none: never fetched) and its days. */
interface StoredMonth {
  state: StationMonth | null
  /** Frozen, as the answers share them. */
  records: ObservationRecord[]
}

/**
 * Hot station-months are served from memory, bounded by days held (a day is well under 1 KiB):
 * past months never change, and any write of a month is announced by the database.
 */
const MONTH_CACHE = { max: 10_000, maxSize: 60_000, size: (month: StoredMonth) => month.records.length + 1, ttlMs: 30 * 60_000 }

export interface StoredRange {
  records: ObservationRecord[]
  /** Months that could not be fetched and had nothing stored. */
  unavailableMonths: string[]
  /** Whether this read had to go upstream. */
  fetched: boolean
  /** When the newest of the files behind these records was fetched. */
  fetchedAt: Date | null
}

/** A month's records (sorted by date) from `from` to `to`; a whole month needs no comparisons. */
function within(records: ObservationRecord[], from: string, to: string): ObservationRecord[] {
  const first = records[0]
  if (first && first.date >= from && records[records.length - 1]!.date <= to) return records.slice()
  return records.filter((r) => r.date >= from && r.date <= to)
}

const measurementFields = observationFields.filter((f) => f !== 'date')
const upsertSet = Object.fromEntries(measurementFields.map((f) => [f, sql.raw(`excluded."${f}"`)]))

/**
 * Read-through store of daily observations: serves what the database holds and fetches the
 * station-month files it lacks. A past month, once stored, is final; the current month is
 * refetched after a TTL. Concurrent reads of the same missing month share one fetch.
 */
export function createObservationStore({ db, clock, bom, currentMonthTtlMs, log, changes }: ObservationStoreDeps) {
  const singleFlight = createSingleFlight<void>()
  const cache = createInvalidatedCache<string, StoredMonth>(changes, MONTH_CACHE)
  const keyOf = (pageId: string, month: string) => `${pageId}:${month}`
  changes.on('month', ([pageId, month]) => cache.delete(keyOf(pageId!, month!)))

  async function loadMonth(pageId: string, month: string): Promise<StoredMonth> {
    const [state] = await db.select().from(stationMonths).where(and(eq(stationMonths.pageId, pageId), eq(stationMonths.month, month)))
    if (!state) return { state: null, records: [] }
    const rows = await db
      .select()
      .from(observations)
      .where(and(eq(observations.pageId, pageId), between(observations.date, `${month}-01`, lastDayOfMonth(month))))
      .orderBy(asc(observations.date))
    return { state, records: frozenRecords(rows.map(({ pageId: _station, ...record }) => record)) }
  }

  const storedMonth = (pageId: string, month: string) => cache.get(keyOf(pageId, month), () => loadMonth(pageId, month))

  /**
   * Stores one station-month file's rows and its bookkeeping in one transaction. A month before
   * the current one (in Australia) is final and will not be fetched again.
   */
  async function storeMonth(pageId: string, month: string, allRecords: ObservationRecord[]): Promise<number> {
    const now = clock.now()
    const complete = month < sydneyDate(now).slice(0, 7)
    const records = allRecords.filter((r) => r.date.startsWith(month))
    await db.transaction(async (tx) => {
      if (records.length > 0) {
        await tx
          .insert(observations)
          .values(records.map((r) => ({ ...r, pageId })))
          .onConflictDoUpdate({ target: [observations.pageId, observations.date], set: upsertSet })
      }
      await tx
        .insert(stationMonths)
        .values({ pageId, month, fetchedAt: now, complete, rowCount: records.length })
        .onConflictDoUpdate({
          target: [stationMonths.pageId, stationMonths.month],
          set: { fetchedAt: now, complete, rowCount: records.length },
        })
    })
    return records.length
  }

  /** Fetches one station-month file; a file BOM does not have is stored as an empty month. */
  async function refreshMonth(pageId: string, month: string): Promise<void> {
    const [year, monthNumber] = month.split('-').map(Number) as [number, number]
    const response = await bom.fetchMonthlyCsv(pageId, year, monthNumber)
    await storeMonth(pageId, month, response.status === 'ok' ? parseMonthlyCsv(response.bytes).records : [])
  }

  async function read(pageId: string, from: string, to: string): Promise<StoredRange> {
    const months = monthsInRange(from, to)
    const stored = await Promise.all(months.map((month) => storedMonth(pageId, month)))
    const now = clock.now().getTime()
    const stale = months.filter((_, i) => {
      const state = stored[i]!.state
      return !state || (!state.complete && now - state.fetchedAt.getTime() >= currentMonthTtlMs)
    })

    const unavailableMonths: string[] = []
    await Promise.all(
      stale.map(async (month) => {
        const i = months.indexOf(month)
        try {
          await singleFlight(`${pageId}:${month}`, () => refreshMonth(pageId, month))
          // Read back at once; other instances hear of the new month from the database.
          cache.delete(keyOf(pageId, month))
          stored[i] = await storedMonth(pageId, month)
        } catch (error) {
          if (!(error instanceof UpstreamError || error instanceof BomFormatError)) throw error
          log.warn({ pageId, month, reason: error instanceof UpstreamError ? error.reason : 'format', message: error.message }, 'upstream fetch failed')
          // Stored rows, even stale ones, are still served.
          if (!stored[i]!.state) unavailableMonths.push(month)
        }
      }),
    )

    const records = stored.length === 1 ? within(stored[0]!.records, from, to) : stored.flatMap((month) => within(month.records, from, to))
    const fetchedTimes = stored.flatMap((month) => (month.state ? [month.state.fetchedAt.getTime()] : []))
    return {
      records,
      unavailableMonths: unavailableMonths.sort(),
      fetched: stale.length > 0,
      fetchedAt: fetchedTimes.length > 0 ? new Date(Math.max(...fetchedTimes)) : null,
    }
  }

  return { read, storeMonth }
}

export type ObservationStore = ReturnType<typeof createObservationStore>
