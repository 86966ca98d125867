import { setTimeout as delay } from 'node:timers/promises'
import { resolveState, type StateCode } from '../../domain/states.js'
import { parseLetterGroup, parseStateIndex, type Station } from './catalogue.js'
import { BomFormatError, UpstreamError } from './errors.js'
import { createUpstreamHttp, type UpstreamResponse } from './http.js'
import { decodeBomText } from './text.js'
import { monthlyCsvUrl, normalizeBaseUrl, stateIndexUrl } from './urls.js'

export const MAX_CSV_BYTES = 2 * 1024 * 1024
export const MAX_HTML_BYTES = 1024 * 1024

export interface BomClientOptions {
  /** e.g. `https://www.bom.gov.au`; tests point it at a local server. */
  baseUrl: string
  /** Sent with every request; build it with `bomUserAgent`. */
  userAgent: string
  timeoutMs?: number
  retries?: number
  fetchImpl?: typeof fetch
  sleep?: (ms: number) => Promise<void>
  maxCsvBytes?: number
  maxHtmlBytes?: number
  /** Letter-group pages fetched at once while building a catalogue. */
  concurrency?: number
}

export type MonthlyCsvResponse = UpstreamResponse

/** BOM can tell who is calling and how to reach us. */
export function bomUserAgent(version: string, contactUrl: string): string {
  return `FetchaWeather/${version} (+${contactUrl})`
}

/** Runs `task` over `items`, `limit` at a time, in order of results; after a failure no new task starts. */
async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        results[index] = await task(items[index]!)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}

export function createBomClient(options: BomClientOptions) {
  const baseUrl = normalizeBaseUrl(options.baseUrl)
  const maxCsvBytes = options.maxCsvBytes ?? MAX_CSV_BYTES
  const maxHtmlBytes = options.maxHtmlBytes ?? MAX_HTML_BYTES
  const concurrency = options.concurrency ?? 3
  const http = createUpstreamHttp({
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 2,
    userAgent: options.userAgent,
    fetchImpl: options.fetchImpl ?? fetch,
    sleep: options.sleep ?? ((ms) => delay(ms)),
  })

  /** One station's month; `not_found` when BOM does not have it online (too old, or not started). */
  async function fetchMonthlyCsv(pageId: string, year: number, month: number): Promise<MonthlyCsvResponse> {
    return http.get(monthlyCsvUrl(baseUrl, pageId, year, month), { maxBytes: maxCsvBytes, accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' })
  }

  /** A page that must exist: a 404 here means BOM moved things, which is an upstream failure. */
  async function fetchPage(url: string): Promise<string> {
    const response = await http.get(url, { maxBytes: maxHtmlBytes, accept: 'text/html, */*;q=0.1' })
    if (response.status === 'not_found') throw new UpstreamError('BOM answered HTTP 404 for a catalogue page', { url, reason: 'status', status: 404, attempts: 1 })
    return decodeBomText(response.bytes)
  }

  /**
   * Every station of a state, from its index page and the letter-group pages it links to, in
   * page order and without duplicates. An empty result is refused: it means the pages changed.
   */
  async function fetchStateCatalogue(stateCode: StateCode): Promise<Station[]> {
    const state = resolveState(stateCode)
    if (!state) throw new RangeError(`not a state code: ${JSON.stringify(stateCode)}`)
    const indexUrl = stateIndexUrl(baseUrl, state.code)
    const indexHtml = await fetchPage(indexUrl)
    const groups = await mapWithLimit(parseStateIndex(indexHtml, indexUrl), concurrency, async (url) => parseLetterGroup(await fetchPage(url)))
    const stations = new Map<string, Station>()
    for (const station of [parseLetterGroup(indexHtml), ...groups].flat()) {
      if (!stations.has(station.pageId)) stations.set(station.pageId, station)
    }
    if (stations.size === 0) throw new BomFormatError(`no stations found for ${state.code} at ${indexUrl}`)
    return [...stations.values()]
  }

  return { fetchMonthlyCsv, fetchStateCatalogue }
}

export type BomClient = ReturnType<typeof createBomClient>
