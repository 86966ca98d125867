import type { Station } from '../../db/schema/index.js'
import { states, type State } from '../../domain/states.js'
import { apiError } from '../../errors.js'
import type { StationCatalogue } from './stations.js'

const STATION_ID = /^IDCJDW\d{4}$/

export interface StationQuery {
  station_id?: string
  location?: string
}

/**
 * A station page id's first digit is its state's: IDCJDW3050 is listed on VIC's index,
 * IDCJDW0300. The catalogue of that state is read to learn whether the station exists.
 */
function stateOfStationId(stationId: string): State | undefined {
  return states.find((state) => state.bomCode === `IDCJDW0${stationId[6]}00`)
}

function required(field: 'location' | 'state') {
  return apiError('VALIDATION_ERROR', {
    message: `${field} is required unless station_id is given`,
    extra: { details: [{ field, message: 'is required unless station_id is given' }] },
  })
}

/**
 * The station a data request names: by `station_id`, or by `location` within `state` (already
 * resolved, so that a bad state is refused before anything is looked up). Given
 * both, they must name the same station (400 `STATION_MISMATCH`): an answer for one of two
 * different stations would be a guess.
 */
export async function chooseStation(
  query: StationQuery,
  state: State | undefined,
  catalogue: Pick<StationCatalogue, 'find' | 'byPageId'>,
  ensure: (state: State) => Promise<void>,
): Promise<Station> {
  const location = query.location?.trim() || undefined
  const stationId = query.station_id?.trim().toUpperCase() || undefined
  if (stationId === undefined) {
    if (!location) throw required('location')
    if (!state) throw required('state')
    return stationByLocation(catalogue, ensure, state, location)
  }

  if (!STATION_ID.test(stationId)) {
    throw apiError('INVALID_STATION_ID', { message: 'station_id must be written IDCJDW followed by four digits, e.g. IDCJDW3050' })
  }
  const stateOfId = stateOfStationId(stationId)
  let station = await catalogue.byPageId(stationId)
  if (!station && stateOfId) {
    await ensure(stateOfId)
    station = await catalogue.byPageId(stationId)
  }
  if (!station) throw apiError('STATION_NOT_FOUND', { message: `No station has the id ${stationId}` })
  if (state && state.code !== station.state) {
    throw apiError('STATION_MISMATCH', { message: `${stationId} is a station of ${station.state}, not ${state.code}`, extra: { station_id: stationId, station_state: station.state } })
  }
  if (location) {
    const named = await stationByLocation(catalogue, ensure, state ?? states.find((s) => s.code === station.state)!, location)
    if (named.pageId !== station.pageId) {
      throw apiError('STATION_MISMATCH', {
        message: `"${location}" is ${named.name} (${named.pageId}), not ${stationId}`,
        extra: { station_id: stationId, location_station_id: named.pageId },
      })
    }
  }
  return station
}

async function stationByLocation(
  catalogue: Pick<StationCatalogue, 'find'>,
  ensure: (state: State) => Promise<void>,
  state: State,
  location: string,
): Promise<Station> {
  await ensure(state)
  const match = await catalogue.find(state.code, location)
  if (!match.station) {
    throw apiError('LOCATION_NOT_FOUND', {
      message: `No station in ${state.code} matches "${location}"`,
      extra: { suggestions: match.suggestions },
    })
  }
  return match.station
}
