import { and, asc, between, eq, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Database } from '../../db/client.js'
import { observations } from '../../db/schema/index.js'
import { daysInclusive, lastDayOfMonth, monthsInRange } from './dates.js'

/** BOM counts a rain day from 0.2 mm, the smallest amount its gauges record; 1 mm is the other usual threshold. */
const RAIN_DAY_MM = 0.2
const WET_DAY_MM = 1

const o = observations
const float = (expression: SQL) => sql<number | null>`${expression}::float8`
const mean = (column: SQL | AnyPgColumn, places: number) => float(sql`round(avg(${column})::numeric, ${sql.raw(String(places))})`)
/** Null, not 0, when no day of the month has the value at all. */
const daysWith = (threshold: number) =>
  sql<number | null>`case when count(${o.rainfall_mm}) = 0 then null else (count(*) filter (where ${o.rainfall_mm} >= ${threshold}))::int end`
/** The value of `column` on the day of the highest gust (the earliest such day). */
const onGustDay = (column: SQL) =>
  sql<string | null>`(array_agg(${column} order by ${o.speed_of_maximum_wind_gust_km_h} desc, ${o.date}) filter (where ${o.speed_of_maximum_wind_gust_km_h} is not null))[1]`

/** Per month of the range, computed by the database from the stored days. */
export async function monthlyFigures(db: Database, pageId: string, from: string, to: string) {
  const month = sql<string>`to_char(${o.date}, 'YYYY-MM')`
  return db
    .select({
      month,
      days_with_data: sql<number>`count(*)::int`,
      min_mean: mean(o.minimum_temperature_c, 2),
      min_min: float(sql`min(${o.minimum_temperature_c})`),
      min_max: float(sql`max(${o.minimum_temperature_c})`),
      max_mean: mean(o.maximum_temperature_c, 2),
      max_min: float(sql`min(${o.maximum_temperature_c})`),
      max_max: float(sql`max(${o.maximum_temperature_c})`),
      rain_total: float(sql`round(sum(${o.rainfall_mm})::numeric, 1)`),
      rain_days: daysWith(RAIN_DAY_MM),
      wet_days: daysWith(WET_DAY_MM),
      gust_speed: float(sql`max(${o.speed_of_maximum_wind_gust_km_h})`),
      gust_date: onGustDay(sql`${o.date}::text`),
      gust_direction: onGustDay(sql`${o.direction_of_maximum_wind_gust}`),
      humidity_9am: mean(sql`${o['9am_relative_humidity_percent']}`, 1),
      humidity_3pm: mean(sql`${o['3pm_relative_humidity_percent']}`, 1),
    })
    .from(o)
    .where(and(eq(o.pageId, pageId), between(o.date, from, to)))
    .groupBy(month)
    .orderBy(asc(month))
}

type Figures = Awaited<ReturnType<typeof monthlyFigures>>[number]

/** Each month of the range, a month without stored days included (its figures all null). */
export function monthSummaries(rows: Figures[], from: string, to: string) {
  const byMonth = new Map(rows.map((row) => [row.month, row]))
  return monthsInRange(from, to).map((month) => {
    const start = `${month}-01` < from ? from : `${month}-01`
    const end = lastDayOfMonth(month) > to ? to : lastDayOfMonth(month)
    const days = daysInclusive(start, end)
    const row = byMonth.get(month)
    const withData = row?.days_with_data ?? 0
    return {
      month,
      date_from: start,
      date_to: end,
      days_requested: days,
      days_with_data: withData,
      coverage: Math.round((withData / days) * 1000) / 1000,
      minimum_temperature_c: { mean: row?.min_mean ?? null, min: row?.min_min ?? null, max: row?.min_max ?? null },
      maximum_temperature_c: { mean: row?.max_mean ?? null, min: row?.max_min ?? null, max: row?.max_max ?? null },
      rainfall_mm: { total: row?.rain_total ?? null, rain_days_0_2_mm: row?.rain_days ?? null, rain_days_1_mm: row?.wet_days ?? null },
      max_wind_gust: { speed_km_h: row?.gust_speed ?? null, date: row?.gust_date ?? null, direction: row?.gust_direction ?? null },
      relative_humidity_percent: { mean_9am: row?.humidity_9am ?? null, mean_3pm: row?.humidity_3pm ?? null },
    }
  })
}
