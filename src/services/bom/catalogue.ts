import { extractLinks } from './html.js'

export interface Station {
  /** The id of the station's BOM pages and files, e.g. `IDCJDW3050`; not the BOM station number. */
  pageId: string
  name: string
}

/** A letter group's link text: `L`, `A - E`, `M – R`. */
const LETTER_GROUP = /^[A-Z](?:\s*[-\u2013]\s*[A-Z])?$/i
const STATION_PAGE = /(?:^|\/)(IDCJDW\d{4})\.latest\.shtml(?:[?#].*)?$/i

/**
 * The letter-group page URLs linked from a state index, absolute and in page order. Only links
 * on the index's own origin are kept: the pages we scrape must not choose which hosts we call.
 */
export function parseStateIndex(html: string, baseUrl: string): string[] {
  const base = new URL(baseUrl)
  base.hash = ''
  const urls = new Set<string>()
  for (const link of extractLinks(html)) {
    if (!LETTER_GROUP.test(link.text)) continue
    let url: URL
    try {
      url = new URL(link.href, base)
    } catch {
      continue
    }
    url.hash = ''
    if (url.origin !== base.origin || url.href === base.href) continue
    urls.add(url.href)
  }
  return [...urls]
}

/** The stations linked from a page, by their `IDCJDWnnnn.latest.shtml` links; the first link of an id wins. */
export function parseLetterGroup(html: string): Station[] {
  const stations = new Map<string, Station>()
  for (const link of extractLinks(html)) {
    const pageId = STATION_PAGE.exec(link.href)?.[1]?.toUpperCase()
    if (pageId === undefined || link.text === '' || stations.has(pageId)) continue
    stations.set(pageId, { pageId, name: link.text })
  }
  return [...stations.values()]
}
