export type FieldKind = 'date' | 'number' | 'text'

interface ColumnSpec {
  /** The label in the CSV header, as BOM writes it. */
  readonly header: string
  /** The key in API responses. */
  readonly field: string
  readonly kind: FieldKind
  /** Wind speeds: BOM writes `Calm` for a speed of 0. */
  readonly calm?: true
}

/** The columns of the monthly CSV, in header order; the record type and field list derive from it. */
export const observationColumns = [
  { header: 'Date', field: 'date', kind: 'date' },
  { header: 'Minimum temperature (°C)', field: 'minimum_temperature_c', kind: 'number' },
  { header: 'Maximum temperature (°C)', field: 'maximum_temperature_c', kind: 'number' },
  { header: 'Rainfall (mm)', field: 'rainfall_mm', kind: 'number' },
  { header: 'Evaporation (mm)', field: 'evaporation_mm', kind: 'number' },
  { header: 'Sunshine (hours)', field: 'sunshine_hours', kind: 'number' },
  { header: 'Direction of maximum wind gust ', field: 'direction_of_maximum_wind_gust', kind: 'text' },
  { header: 'Speed of maximum wind gust (km/h)', field: 'speed_of_maximum_wind_gust_km_h', kind: 'number', calm: true },
  { header: 'Time of maximum wind gust', field: 'time_of_maximum_wind_gust', kind: 'text' },
  { header: '9am Temperature (°C)', field: '9am_temperature_c', kind: 'number' },
  { header: '9am relative humidity (%)', field: '9am_relative_humidity_percent', kind: 'number' },
  { header: '9am cloud amount (oktas)', field: '9am_cloud_amount_oktas', kind: 'number' },
  { header: '9am wind direction', field: '9am_wind_direction', kind: 'text' },
  { header: '9am wind speed (km/h)', field: '9am_wind_speed_km_h', kind: 'number', calm: true },
  { header: '9am MSL pressure (hPa)', field: '9am_msl_pressure_hpa', kind: 'number' },
  { header: '3pm Temperature (°C)', field: '3pm_temperature_c', kind: 'number' },
  { header: '3pm relative humidity (%)', field: '3pm_relative_humidity_percent', kind: 'number' },
  { header: '3pm cloud amount (oktas)', field: '3pm_cloud_amount_oktas', kind: 'number' },
  { header: '3pm wind direction', field: '3pm_wind_direction', kind: 'text' },
  { header: '3pm wind speed (km/h)', field: '3pm_wind_speed_km_h', kind: 'number', calm: true },
  { header: '3pm MSL pressure (hPa)', field: '3pm_msl_pressure_hpa', kind: 'number' },
] as const satisfies readonly ColumnSpec[]

export type ObservationColumn = (typeof observationColumns)[number]
export type ObservationField = ObservationColumn['field']

type ValueOf<K extends FieldKind> = K extends 'date' ? string : K extends 'number' ? number | null : string | null

/** One day at one station: `date` is `YYYY-MM-DD`; an empty cell is null. */
export type ObservationRecord = { [C in ObservationColumn as C['field']]: ValueOf<C['kind']> }

export const observationFields: readonly ObservationField[] = observationColumns.map((column) => column.field)
