import { readFileSync } from 'node:fs'
import type postgres from 'postgres'

const LEGACY_SCHEMA_SQL = new URL('../../test/fixtures/legacy/flask-schema.sql', import.meta.url)
/** Any bcrypt-shaped hash will do: nobody logs in during the bench. */
const BCRYPT = '$2b$12$5LZUUwzZ4OFfFiRThduJNOlTH8IQcgTxwRV3Di8jUIDWOzk3Lv1UO'
const MONTHS = 6

export interface LegacySize {
  users: number
  keys: number
  usage: number
}

/**
 * An old service's database of the given size, built by set-based statements (generate_series):
 * every user with two keys, half of them without key_hash, usage spread evenly over six months up to
 * now, and monthly rows that count a little less than the usage rows, as the old service did.
 */
export async function seedLegacyDatabase(sql: postgres.Sql, size: LegacySize): Promise<void> {
  await sql.unsafe(readFileSync(LEGACY_SCHEMA_SQL, 'utf8'))
  await sql.unsafe(`
    insert into users (email, password_hash, full_name, email_verified, created_at, tier, is_active)
      select 'user' || i || '@example.com', '${BCRYPT}', 'User ' || i, i % 3 <> 0, timestamp '2024-01-01' + i * interval '1 minute',
        (array['free', 'pro', 'enterprise'])[1 + i % 3], true
      from generate_series(1, ${size.users}) i;
    insert into api_keys (user_id, key_value, key_hash, name, created_at, is_active)
      select 1 + (i - 1) % ${size.users}, 'fw_' || md5('a' || i) || substr(md5('b' || i), 1, 11),
        case when i % 2 = 0 then encode(sha256(convert_to('fw_' || md5('a' || i) || substr(md5('b' || i), 1, 11), 'UTF8')), 'hex') end,
        'key ' || i, timestamp '2024-02-01' + i * interval '1 minute', true
      from generate_series(1, ${size.keys}) i;
    insert into usage (user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, error_message, ip_address, user_agent, "timestamp")
      select k.user_id, k.id, '/api/weather/location', 'Melbourne', 'VIC', '2025-10-01', '2025-10-07', 20 + i % 200,
        case when i % 20 = 0 then 404 else 200 end, case when i % 20 = 0 then 'Location not found' end,
        '203.0.113.' || (i % 250), 'bench/1.0', start + (now()::timestamp - start) * (i::float8 / ${size.usage})
      from generate_series(1, ${size.usage}) i
      join api_keys k on k.id = 1 + i % ${size.keys}
      cross join (select date_trunc('month', now()::timestamp) - interval '${MONTHS - 1} months' as start) s
      order by i;
    insert into monthly_usage (user_id, month, total_requests, successful_requests, failed_requests, total_response_time_ms, last_updated)
      select user_id, to_char("timestamp", 'YYYY-MM'), count(*) * 99 / 100, count(*) filter (where status_code < 300) * 99 / 100,
        count(*) filter (where status_code >= 300), sum(response_time_ms), max("timestamp")
      from usage group by 1, 2;
    analyze;
  `)
}
