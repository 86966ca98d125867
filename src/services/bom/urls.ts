import { resolveState, type StateCode } from '../../domain/states.js'

const PAGE_ID = /^IDCJDW\d{4}$/

export function isPageId(value: string): boolean {
  return PAGE_ID.test(value)
}

/** Page ids reach URLs from requests and from scraped pages: refuse anything else before building one. */
export function assertPageId(pageId: string): void {
  if (!PAGE_ID.test(pageId)) throw new RangeError(`not a BOM page id: ${JSON.stringify(pageId)}`)
}

/** The base without trailing slashes; a path prefix (a proxy or mirror) is kept. */
export function normalizeBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`BOM base URL must be http(s): ${baseUrl}`)
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** `202510` for October 2025, as BOM names monthly files. */
export function yearMonth(year: number, month: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`not a year: ${year}`)
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`not a month: ${month}`)
  return `${year}${String(month).padStart(2, '0')}`
}

export function stateIndexUrl(baseUrl: string, stateCode: StateCode): string {
  const state = resolveState(stateCode)
  if (!state || state.code !== stateCode) throw new RangeError(`not a state code: ${JSON.stringify(stateCode)}`)
  return `${normalizeBaseUrl(baseUrl)}/climate/dwo/${state.bomCode}.shtml`
}

export function stationPageUrl(baseUrl: string, pageId: string): string {
  assertPageId(pageId)
  return `${normalizeBaseUrl(baseUrl)}/climate/dwo/${pageId}.latest.shtml`
}

export function monthlyCsvUrl(baseUrl: string, pageId: string, year: number, month: number): string {
  assertPageId(pageId)
  const ym = yearMonth(year, month)
  return `${normalizeBaseUrl(baseUrl)}/climate/dwo/${ym}/text/${pageId}.${ym}.csv`
}
