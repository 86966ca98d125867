import { sql } from 'drizzle-orm'
import {
  boolean, check, date, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp,
  type PgDoublePrecisionBuilderInitial, type PgTextBuilderInitial,
} from 'drizzle-orm/pg-core'
import { observationColumns, type ObservationColumn } from '../../domain/observation-fields.js'
import { stateCodes } from '../../domain/states.js'

/** The BOM station catalogue: one row per station page (`IDCJDWnnnn`). */
export const stations = pgTable(
  'stations',
  {
    pageId: text('page_id').primaryKey(),
    name: text('name').notNull(),
    state: text('state').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stations_state_name_idx').on(t.state, sql`lower(${t.name})`),
    check('stations_page_id_check', sql`${t.pageId} ~ '^IDCJDW[0-9]{4}$'`),
    check('stations_state_check', sql.raw(`state in (${stateCodes.map((c) => `'${c}'`).join(', ')})`)),
  ],
)

/** When each state's catalogue was last read from BOM. */
export const stateCatalogues = pgTable('state_catalogues', {
  state: text('state').primaryKey(),
  syncedAt: timestamp('synced_at', { withTimezone: true }).notNull(),
  stationCount: integer('station_count').notNull(),
})

type Measurement = Exclude<ObservationColumn, { kind: 'date' }>
type MeasurementColumns = {
  [C in Measurement as C['field']]: C['kind'] extends 'number'
    ? PgDoublePrecisionBuilderInitial<C['field']>
    : PgTextBuilderInitial<C['field'], [string, ...string[]]>
}

/** One typed column per CSV column, named as the API names the field. */
const measurementColumns = Object.fromEntries(
  observationColumns
    .filter((c): c is Measurement => c.kind !== 'date')
    .map((c) => [c.field, c.kind === 'number' ? doublePrecision(c.field) : text(c.field)]),
) as MeasurementColumns

/** Daily observations, one row per station and date, stored once fetched. */
export const observations = pgTable(
  'observations',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => stations.pageId, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    ...measurementColumns,
  },
  (t) => [primaryKey({ name: 'observations_pkey', columns: [t.pageId, t.date] })],
)

/**
 * What the store knows of each station-month file: when it was fetched and whether it can
 * still change (the current month grows daily; a past month is final and never refetched).
 */
export const stationMonths = pgTable(
  'station_months',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => stations.pageId, { onDelete: 'cascade' }),
    month: text('month').notNull(),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull(),
    complete: boolean('complete').notNull(),
    rowCount: integer('row_count').notNull(),
  },
  (t) => [
    primaryKey({ name: 'station_months_pkey', columns: [t.pageId, t.month] }),
    check('station_months_month_check', sql`${t.month} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`),
  ],
)

export type Station = typeof stations.$inferSelect
export type Observation = typeof observations.$inferSelect
export type StationMonth = typeof stationMonths.$inferSelect
