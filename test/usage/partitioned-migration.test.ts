import t, { type Test } from 'tap'
import { migratePgliteDatabase, migratePostgresDatabase } from '../../src/db/migrate.js'
import { migrationsUpTo } from '../../src/db/migration-history.js'
import { scratchDatabase, type ScratchDatabase } from '../adopt/legacy-database.js'

/** The last migration before the usage log was partitioned. */
const BEFORE_PARTITIONING = '0008_key_successor'

async function migrate(database: ScratchDatabase, folder?: string) {
  if (database.target.url) await migratePostgresDatabase(database.target.url, 10, folder)
  else await migratePgliteDatabase(database.target.pglite!, folder)
}

/** A database as the release before partitioning left it, holding `rows` usage rows. */
async function unpartitionedDatabase(t: Test, rows: number) {
  const database = await scratchDatabase(t)
  const earlier = migrationsUpTo(BEFORE_PARTITIONING)
  t.teardown(earlier.remove)
  await migrate(database, earlier.folder)
  await database.exec(`
    insert into users (email, password_hash, full_name) values ('a@example.com', 'x', 'A'), ('b@example.com', 'x', 'B');
    insert into api_keys (user_id, key_hash, key_prefix, name) values (1, repeat('a', 64), 'fw_aaaaaaaa', 'one');
    -- Rows from 2001 to this month, a few microseconds apart at times, every kind of column filled.
    insert into usage (request_id, user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms,
                       status_code, error_message, ip_address, user_agent, "timestamp")
    select gen_random_uuid(), 1 + g % 2, case when g % 3 = 0 then 1 end, '/api/weather/' || (array['location', 'stations'])[1 + g % 2],
           case when g % 5 = 0 then 'Melbourne ☂ "quoted", comma' end, 'VIC', date '2025-01-01' + g % 30, date '2025-01-31',
           (g % 997) / 7.0, (array[200, 200, 304, 400, 404, 500])[1 + g % 6], case when g % 6 = 5 then 'boom' end,
           '203.0.113.' || g % 250, 'agent/' || g,
           timestamptz '2001-01-01 00:00:00+00' + (g::float8 / ${rows}) * (now() - timestamptz '2001-01-01 00:00:00+00') + (g % 3) * interval '1 microsecond'
    from generate_series(0, ${rows - 1}) g;
    -- Ids are not all consecutive: a sequence runs ahead of the rows it gave out.
    select nextval('usage_id_seq'), nextval('usage_id_seq');`)
  return database
}

const SUMMARY = `select count(*)::int as n, md5(string_agg(u::text, E'\\n' order by id)) as checksum, max(id)::int as max_id from usage u`

t.test('partitioning keeps every usage row, byte for byte, with its id', async (t) => {
  const database = await unpartitionedDatabase(t, 20_000)
  const [before] = await database.rows<{ n: number; checksum: string; max_id: number }>(SUMMARY)
  t.equal(before!.n, 20_000)

  const started = Date.now()
  await migrate(database)
  t.comment(`20,000 rows partitioned in ${Date.now() - started} ms on ${database.kind}`)

  const [after] = await database.rows<{ n: number; checksum: string; max_id: number }>(SUMMARY)
  t.same(after, before, 'the same count, checksum of every column of every row, and ids')
  const [kind] = await database.rows<{ strategy: string }>(`select partstrat as strategy from pg_partitioned_table where partrelid = 'public.usage'::regclass`)
  t.equal(kind?.strategy, 'r', 'usage is range-partitioned')

  const months = await database.rows<{ month: string }>(`select distinct to_char("timestamp" at time zone 'UTC', 'YYYY_MM') as month from usage`)
  const partitions = new Set((await database.rows<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'public.usage'::regclass`)).map((r) => r.name))
  t.ok(months.length > 300, 'rows span more than 25 years of months')
  t.same(months.filter((m) => !partitions.has(`usage_${m.month}`)), [], 'each month that holds rows has its partition')
  t.ok(partitions.has('usage_default'))
  const [caught] = await database.rows<{ n: number }>('select count(*)::int as n from usage_default')
  t.equal(caught?.n, 0, 'nothing is left to the default partition')
  const [ahead] = await database.rows<{ n: number }>(`
    select count(*)::int as n from generate_series(0, 3) k
    where to_regclass('public.usage_' || to_char(date_trunc('month', now() at time zone 'UTC') + k * interval '1 month', 'YYYY_MM')) is not null`)
  t.equal(ahead?.n, 4, 'this month and the next three have partitions')

  const [next] = await database.rows<{ id: number }>(`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, "timestamp")
    values (gen_random_uuid(), 1, '/api/weather/location', 1, 200, now()) returning id::int as id`)
  t.equal(next?.id, before!.max_id + 3, 'new ids continue after the old sequence, not after the highest row')

  const mismatched = await database.rows(`
    select * from (
      select user_id, ("timestamp" at time zone 'UTC')::date as day, endpoint, (status_code / 100)::smallint as status_class,
             count(*)::int as requests, sum(response_time_ms) as total, min(response_time_ms) as low, max(response_time_ms) as high
      from usage where id <= ${before!.max_id} group by 1, 2, 3, 4
    ) raw full join usage_daily d using (user_id, day, endpoint, status_class)
    where raw.requests is distinct from d.requests or abs(raw.total - d.total_response_time_ms) > 1e-6
       or raw.low is distinct from d.min_response_time_ms or raw.high is distinct from d.max_response_time_ms`)
  t.same(mismatched, [], 'the daily rollups of the moved rows match them exactly')
})

t.test('an empty usage table partitions too, and a second migration run does nothing', async (t) => {
  const database = await unpartitionedDatabase(t, 1)
  await database.exec('delete from usage')
  await migrate(database)
  await migrate(database)
  const [next] = await database.rows<{ id: number }>(`
    insert into usage (request_id, user_id, endpoint, response_time_ms, status_code, "timestamp")
    values (gen_random_uuid(), 1, '/api/weather/location', 1, 200, now()) returning id::int as id`)
  t.equal(next?.id, 4, 'the id after the three the old sequence gave out')
})
