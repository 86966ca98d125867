import { and, eq, sql } from 'drizzle-orm'
import t from 'tap'
import { observations, stations } from '../../src/db/schema/index.js'
import { build, json } from '../helper.js'
import { changesHeard } from '../helpers/changes.js'
import { eventually } from '../helpers/eventually.js'
import { setup, weather } from './setup.js'

const OCTOBER_WEEK = 'location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07'
const MELBOURNE = 'IDCJDW3050'
const NOTIFICATION_BOUND_MS = 2_000

const firstMinimum = async (ctx: Parameters<typeof weather>[0], key: string) => json(await weather(ctx, key, OCTOBER_WEEK)).data[0].minimum_temperature_c

t.test('a stored month is served from memory, and a month written anew elsewhere is served anew', async (t) => {
  const { ctx, key } = await setup(t)
  t.equal(await firstMinimum(ctx, key), 10.2, 'fetched and stored')
  // Storing the month announced it; once that is heard, the next read is the one kept.
  await changesHeard(ctx)
  t.equal(await firstMinimum(ctx, key), 10.2, 'read again and kept')

  // A change the database does not announce shows what the cache serves.
  await ctx.app.db.execute(sql`alter table station_months disable trigger station_months_cache_change`)
  await ctx.app.db.update(observations).set({ minimum_temperature_c: -5 }).where(and(eq(observations.pageId, MELBOURNE), eq(observations.date, '2025-10-01')))
  await ctx.app.db.execute(sql`alter table station_months enable trigger station_months_cache_change`)
  t.equal(await firstMinimum(ctx, key), 10.2, 'the month is read from memory')

  // Another process (here another instance; as well the import script) stores the month again.
  const other = await build(t, { shareDatabaseWith: ctx })
  const rows = (await other.app.observationStore.read(MELBOURNE, '2025-10-01', '2025-10-31')).records
  await other.app.observationStore.storeMonth(MELBOURNE, '2025-10', rows.map((r) => (r.date === '2025-10-01' ? { ...r, minimum_temperature_c: 99 } : r)))
  const seen = await eventually(() => firstMinimum(ctx, key), (value) => value === 99, NOTIFICATION_BOUND_MS)
  t.equal(seen.value, 99, `the new rows are served (${seen.ms} ms)`)
})

t.test("a station added to a state's catalogue elsewhere is found", async (t) => {
  const { ctx, key } = await setup(t)
  const search = async () => json(await ctx.app.inject({ method: 'GET', url: '/api/weather/stations?state=VIC&q=zzyzx', headers: { 'x-api-key': key } })).total
  t.equal(await search(), 0, 'the catalogue is read (and kept) without the station')
  await ctx.app.db.insert(stations).values({ pageId: 'IDCJDW3999', name: 'Zzyzx Springs', state: 'VIC' })
  const seen = await eventually(search, (total) => total === 1, NOTIFICATION_BOUND_MS)
  t.equal(seen.value, 1, `the new station is listed (${seen.ms} ms)`)
})
