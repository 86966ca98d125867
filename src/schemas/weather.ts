import { Type, type TSchema } from '@sinclair/typebox'
import { observationColumns } from '../domain/observation-fields.js'
import { MAX_FIELDS_LENGTH } from '../services/weather/field-selection.js'
import { Success, Timestamp } from './common.js'

const valueSchema: Record<'date' | 'number' | 'text', TSchema> = {
  date: Type.String({ description: 'YYYY-MM-DD' }),
  number: Type.Union([Type.Number(), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
}

/** One day's record, one property per CSV column; null where BOM left the cell empty. */
export const ObservationSchema = Type.Object(
  Object.fromEntries(observationColumns.map((c) => [c.field, { ...valueSchema[c.kind], description: c.header.trim() }])),
)

export const StateSchema = Type.Object({ code: Type.String(), name: Type.String(), bom_code: Type.String() })
export const StatesResponse = Success({ states: Type.Array(StateSchema), total: Type.Integer() })

export const StationSchema = Type.Object({ station_id: Type.String(), name: Type.String(), state: Type.String() })
export const StationsQuery = Type.Object({
  state: Type.String({ minLength: 1, maxLength: 64 }),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
})
export const StationsResponse = Success({ stations: Type.Array(StationSchema), total: Type.Integer(), state: Type.String() })

// Dates are checked by the handler, so that a bad one answers INVALID_DATE rather than a generic validation error.
export const LocationQuery = Type.Object({
  location: Type.Optional(Type.String({ maxLength: 100, description: 'A station name of `state`; required unless `station_id` is given' })),
  state: Type.Optional(Type.String({ maxLength: 64, description: 'A state code or name; required with `location`' })),
  station_id: Type.Optional(
    Type.String({
      maxLength: 32,
      description: 'The station page id (IDCJDWnnnn, as /api/weather/stations lists it) instead of `location` and `state`. Given with them, they must name the same station (400 `STATION_MISMATCH`)',
      examples: ['IDCJDW3050'],
    }),
  ),
  date_from: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD. Without date_from and date_to: the latest day before today with observations' })),
  date_to: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD; defaults to date_from' })),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      description: 'csv: the days as text/csv (a header line of the field names, CRLF line ends, an empty cell for null). Without it, `Accept: text/csv` asks for CSV too',
    }),
  ),
  fields: Type.Optional(
    Type.String({
      maxLength: MAX_FIELDS_LENGTH,
      description:
        'Comma-separated field names of the daily records, e.g. `minimum_temperature_c,maximum_temperature_c,rainfall_mm`. ' +
        '`date` is always included; fields come in the order of the full record, whatever order they are named in; a name given twice counts once. ' +
        'An unknown name is 400 `UNKNOWN_FIELD` with `valid_fields`',
      examples: ['minimum_temperature_c,maximum_temperature_c,rainfall_mm'],
    }),
  ),
})

export const LocationResponse = Success({
  location: Type.String(),
  station_id: Type.String(),
  station_name: Type.String(),
  state: Type.String(),
  data: Type.Array(ObservationSchema),
  metadata: Type.Object({
    requested_dates: Type.Integer(),
    records_returned: Type.Integer(),
    coverage: Type.Number({ description: 'records_returned / requested_dates, 0 to 1' }),
    missing_dates: Type.Array(Type.String()),
    date_from: Type.String(),
    date_to: Type.String(),
    dates_chosen_by: Type.Union([Type.Literal('request'), Type.Literal('latest_observed_day')], {
      description: 'request: the dates asked for. latest_observed_day: no dates were given, so the answer is the latest day before today with observations (within the last 7 days)',
    }),
    data_source: Type.String(),
    fetched_at: Type.Union([Timestamp, Type.Null()]),
  }),
  cached: Type.Boolean(),
  meta: Type.Object({
    response_time_ms: Type.Number(),
    tier: Type.String(),
    quota_limit: Type.Union([Type.Integer(), Type.Null()], { description: 'null for an unlimited tier' }),
    quota_used: Type.Integer({ description: 'Requests counted this month, this one included' }),
    quota_remaining: Type.Union([Type.Integer(), Type.Null()]),
  }),
})

/** The answer to a request whose `If-None-Match` names the current content: no body. */
export const NotModified = Type.Null({ description: 'Not Modified: the copy named by If-None-Match is current (sent without a body; still counted)' })
