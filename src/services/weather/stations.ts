import { asc, eq, sql } from 'drizzle-orm'
import { distance } from 'fastest-levenshtein'
import type { Clock } from '../../clock.js'
import type { Database } from '../../db/client.js'
import { stateCatalogues, stations, type Station } from '../../db/schema/index.js'
import type { StateCode } from '../../domain/states.js'
import type { BomClient } from '../bom/client.js'
import { createInvalidatedCache } from '../cache/invalidated-cache.js'
import type { ChangeFeed } from '../cache/change-feed.js'
import { createSingleFlight } from '../single-flight.js'

const SUGGESTIONS = 5

export type StationMatch = { station: Station } | { station: null; suggestions: string[] }

/** Lower-cased, with a trailing qualifier such as "(Olympic Park)" removed. */
function baseName(name: string): string {
  return name.toLowerCase().replace(/\s*\([^)]*\)\s*$/, '')
}

/**
 * Picks the station a location names: an exact name first, then a name that is exact but for a
 * parenthesised qualifier ("Melbourne" → "Melbourne (Olympic Park)"), then names starting with
 * it, then names containing it; shortest name first within a tier.
 */
export function matchStation(candidates: Station[], location: string): StationMatch {
  const query = location.trim().toLowerCase()
  const tiers: ((s: Station) => boolean)[] = [
    (s) => s.name.toLowerCase() === query,
    (s) => baseName(s.name) === query,
    (s) => s.name.toLowerCase().startsWith(query),
    (s) => s.name.toLowerCase().includes(query),
  ]
  for (const inTier of tiers) {
    const hits = candidates.filter(inTier).sort((a, b) => a.name.length - b.name.length || a.name.localeCompare(b.name))
    if (hits[0]) return { station: hits[0] }
  }
  const suggestions = candidates
    .map((s) => ({ name: s.name, score: Math.min(distance(query, s.name.toLowerCase()), distance(query, baseName(s.name))) }))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, SUGGESTIONS)
    .map((s) => s.name)
  return { station: null, suggestions }
}

export interface StationCatalogueDeps {
  db: Database
  clock: Clock
  bom: Pick<BomClient, 'fetchStateCatalogue'>
  changes: ChangeFeed
}

/** One state's catalogue as read from the database, with the matches already worked out. */
interface CachedState {
  synced: boolean
  stations: Station[]
  /** Location → match, for the locations asked about; bounded by MATCHES_PER_STATE. */
  matches: Map<string, StationMatch>
}

/** Eight states; each entry is a few hundred stations. */
const STATE_CACHE = { max: 8, ttlMs: 10 * 60_000 }
const MATCHES_PER_STATE = 1_000

/** The station catalogue, read from BOM's state pages on demand and kept in the database. */
export function createStationCatalogue({ db, clock, bom, changes }: StationCatalogueDeps) {
  const singleFlight = createSingleFlight<number>()
  // The catalogue changes only when a state is synced; the database announces it ("state:<code>").
  const cache = createInvalidatedCache<StateCode, CachedState>(changes, STATE_CACHE)
  changes.on('state', ([state]) => cache.delete(state as StateCode))

  function cached(state: StateCode): Promise<CachedState> {
    return cache.get(state, async () => {
      const [synced] = await db.select({ state: stateCatalogues.state }).from(stateCatalogues).where(eq(stateCatalogues.state, state))
      const list = await db.select().from(stations).where(eq(stations.state, state)).orderBy(asc(stations.name))
      return { synced: synced !== undefined, stations: list, matches: new Map<string, StationMatch>() }
    })
  }

  /** Reads the state's pages from BOM and upserts its stations; answers how many there are. */
  function sync(state: StateCode): Promise<number> {
    return singleFlight(state, async () => {
      const found = await bom.fetchStateCatalogue(state)
      const now = clock.now()
      await db.transaction(async (tx) => {
        await tx
          .insert(stations)
          .values(found.map((s) => ({ pageId: s.pageId, name: s.name, state, updatedAt: now })))
          .onConflictDoUpdate({ target: stations.pageId, set: { name: sql`excluded.name`, state: sql`excluded.state`, updatedAt: now } })
        await tx
          .insert(stateCatalogues)
          .values({ state, syncedAt: now, stationCount: found.length })
          .onConflictDoUpdate({ target: stateCatalogues.state, set: { syncedAt: now, stationCount: found.length } })
      })
      // Read again at once here; other instances hear of it from the database.
      cache.delete(state)
      return found.length
    })
  }

  /** Makes sure the state has a catalogue, reading it from BOM the first time. */
  async function ensure(state: StateCode): Promise<void> {
    if (!(await cached(state)).synced) await sync(state)
  }

  async function search(state: StateCode, query: string | undefined, limit: number): Promise<Station[]> {
    const all = (await cached(state)).stations
    if (!query) return all.slice(0, limit)
    const q = query.trim().toLowerCase()
    return all.filter((s) => s.name.toLowerCase().includes(q)).slice(0, limit)
  }

  async function find(state: StateCode, location: string): Promise<StationMatch> {
    const entry = await cached(state)
    const key = location.trim().toLowerCase()
    let match = entry.matches.get(key)
    if (!match) {
      match = matchStation(entry.stations, location)
      if (entry.matches.size >= MATCHES_PER_STATE) entry.matches.clear()
      entry.matches.set(key, match)
    }
    return match
  }

  async function byPageId(pageId: string): Promise<Station | undefined> {
    const [station] = await db.select().from(stations).where(eq(stations.pageId, pageId))
    return station
  }

  return { sync, ensure, search, find, byPageId }
}

export type StationCatalogue = ReturnType<typeof createStationCatalogue>

