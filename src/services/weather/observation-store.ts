import { and, asc, between, eq, inArray, sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { observations, stationMonths } from '../../db/schema/index.js'
import type { BomClient } from '../bom/client.js'
import { parseMonthlyCsv } from '../bom/csv.js'
import { BomFormatError, UpstreamError } from '../bom/errors.js'
import { observationFields, type ObservationRecord } from '../bom/fields.js'
import { createSingleFlight } from '../single-flight.js'
import { monthsInRange, sydneyDate } from './dates.js'

export interface ObservationStoreDeps {
  db: Database
  clock: Clock
  bom: Pick<BomClient, 'fetchMonthlyCsv'>
  /** How long the current month's file is trusted before it is fetched again. */
  currentMonthTtlMs: number
  log: FastifyBaseLogger
}

export interface StoredRange {
  records: ObservationRecord[]
  /** Months that could not be fetched and had nothing stored. */
  unavailableMonths: string[]
  /** Whether this read had to go upstream. */
  fetched: boolean
  /** When the newest of the files behind these records was fetched. */
  fetchedAt: Date | null
}

const measurementFields = observationFields.filter((f) => f !== 'date')
const upsertSet = Object.fromEntries(measurementFields.map((f) => [f, sql.raw(`excluded."${f}"`)]))

/**
 * Read-through store of daily observations: serves what the database holds and fetches the
 * station-month files it lacks. A past month, once stored, is final; the current month is
 * refetched after a TTL. Concurrent reads of the same missing month share one fetch.
 */
export function createObservationStore({ db, clock, bom, currentMonthTtlMs, log }: ObservationStoreDeps) {
  const singleFlight = createSingleFlight<void>()

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
    const known = new Map(
      (await db.select().from(stationMonths).where(and(eq(stationMonths.pageId, pageId), inArray(stationMonths.month, months)))).map((m) => [m.month, m]),
    )
    const now = clock.now().getTime()
    const stale = months.filter((month) => {
      const state = known.get(month)
      return !state || (!state.complete && now - state.fetchedAt.getTime() >= currentMonthTtlMs)
    })

    const unavailableMonths: string[] = []
    await Promise.all(
      stale.map((month) =>
        singleFlight(`${pageId}:${month}`, () => refreshMonth(pageId, month)).catch((error: unknown) => {
          if (!(error instanceof UpstreamError || error instanceof BomFormatError)) throw error
          log.warn({ pageId, month, reason: error instanceof UpstreamError ? error.reason : 'format', message: error.message }, 'upstream fetch failed')
          // Stored rows, even stale ones, are still served.
          if (!known.has(month)) unavailableMonths.push(month)
        }),
      ),
    )

    const rows = await db
      .select()
      .from(observations)
      .where(and(eq(observations.pageId, pageId), between(observations.date, from, to)))
      .orderBy(asc(observations.date))
    const used = await db
      .select({ fetchedAt: sql<Date>`max(${stationMonths.fetchedAt})`.mapWith(stationMonths.fetchedAt) })
      .from(stationMonths)
      .where(and(eq(stationMonths.pageId, pageId), inArray(stationMonths.month, months)))
    return {
      records: rows.map(({ pageId: _station, ...record }) => record),
      unavailableMonths,
      fetched: stale.length > 0,
      fetchedAt: used[0]?.fetchedAt ?? null,
    }
  }

  return { read, storeMonth }
}

export type ObservationStore = ReturnType<typeof createObservationStore>
