import { Type } from '@sinclair/typebox'
import { Success } from './common.js'
import { LocationQuery, LocationResponse } from './weather.js'

const Figure = Type.Union([Type.Number(), Type.Null()])
const Temperature = Type.Object({ mean: Figure, min: Figure, max: Figure })

export const SummaryQuery = Type.Object({
  location: LocationQuery.properties.location,
  state: LocationQuery.properties.state,
  station_id: LocationQuery.properties.station_id,
  month: Type.Optional(Type.String({ maxLength: 16, description: 'YYYY-MM: that month (up to yesterday for the current one). Instead of date_from and date_to' })),
  date_from: LocationQuery.properties.date_from,
  date_to: LocationQuery.properties.date_to,
})

export const MonthSummary = Type.Object({
  month: Type.String({ description: 'YYYY-MM' }),
  date_from: Type.String(),
  date_to: Type.String(),
  days_requested: Type.Integer({ description: 'Days of this month within the range' }),
  days_with_data: Type.Integer(),
  coverage: Type.Number({ description: 'days_with_data / days_requested, 0 to 1' }),
  minimum_temperature_c: Temperature,
  maximum_temperature_c: Temperature,
  rainfall_mm: Type.Object({
    total: Figure,
    rain_days_0_2_mm: Type.Union([Type.Integer(), Type.Null()], { description: 'Days with at least 0.2 mm' }),
    rain_days_1_mm: Type.Union([Type.Integer(), Type.Null()], { description: 'Days with at least 1 mm' }),
  }),
  max_wind_gust: Type.Object({
    speed_km_h: Figure,
    date: Type.Union([Type.String(), Type.Null()], { description: 'The earliest day with the highest gust' }),
    direction: Type.Union([Type.String(), Type.Null()]),
  }),
  relative_humidity_percent: Type.Object({ mean_9am: Figure, mean_3pm: Figure }),
})

export const SummaryResponse = Success({
  station_id: Type.String(),
  station_name: Type.String(),
  state: Type.String(),
  date_from: Type.String(),
  date_to: Type.String(),
  months: Type.Array(MonthSummary, { description: 'One entry per month of the range; a figure is null when no day of the month has that value' }),
  meta: LocationResponse.properties.meta,
})
