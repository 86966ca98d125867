import { createHash } from 'node:crypto'
import { LEGACY_KEYS, LEGACY_PASSWORDS, LEGACY_TOKENS } from '../fixtures/legacy/accounts.js'
import type { ScratchDatabase } from './legacy-database.js'

/** 5 November 2025, 10:00 in Melbourne: November is the current month, as in the weather tests. */
export const NOW = new Date('2025-11-04T23:00:00Z')

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

/** Dave's keys: twelve, two more than the free tier's limit of ten. */
export const DAVE_KEYS = Array.from({ length: 12 }, (_, i) => `fw_${createHash('sha256').update(`dave-${i}`).digest('base64url').slice(0, 43)}`)

/** Alice's requests per month in usage, and what the old service's monthly counters say. */
export const ALICE_MONTHS = {
  '2025-08': { rows: 5, billed: 5 },
  '2025-09': { rows: 3, billed: 2 },
  '2025-10': { rows: 4, billed: 4 },
  '2025-11': { rows: 7, billed: 6 },
} as const

const q = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`)

/**
 * A small but representative database of the old service: bcrypt hashes (cost 12), clear
 * tokens, keys with a right, a missing and a wrong key_hash, an older key shape, an account over
 * its key limit, usage across four months with counters that disagree with it, gaps in ids and
 * sequences that ran past the highest row.
 */
export async function fillOldServiceRows(database: ScratchDatabase): Promise<void> {
  const { alice, bob, carol } = LEGACY_PASSWORDS
  await database.exec(`
    insert into users (id, email, password_hash, full_name, email_verified, verification_token, verification_token_expires, reset_token, reset_token_expires, created_at, last_login, tier, is_active, login_attempts, last_login_attempt) values
      (1, 'alice@example.com', ${q(alice.hash)}, 'Alice Example', true, null, null, ${q(LEGACY_TOKENS.reset)}, '2025-11-05 00:00:00', '2024-03-01 10:00:00', '2025-11-01 08:30:00', 'pro', true, 0, null),
      (2, 'Bob.Smith@Example.COM', ${q(bob.hash)}, 'Bob Smith', false, ${q(LEGACY_TOKENS.verification)}, '2025-11-06 00:00:00', null, null, '2025-10-20 12:00:00', null, 'free', true, 1, '2025-11-03 09:00:00'),
      (3, 'carol@example.com', ${q(carol.hash)}, 'Carol', true, null, null, null, null, '2023-01-15 00:00:00', '2024-06-01 00:00:00', 'enterprise', false, 0, null),
      (5, 'dave@example.com', ${q(alice.hash)}, 'Dave', null, null, null, null, null, '2025-02-02 02:02:02', null, 'free', true, null, null);
    select setval('users_id_seq', 6);

    insert into api_keys (id, user_id, key_value, key_hash, name, created_at, last_used, is_active) values
      (1, 1, ${q(LEGACY_KEYS.hashed)}, ${q(sha256(LEGACY_KEYS.hashed))}, 'Production', '2024-03-02 09:00:00', '2025-11-03 10:00:00', true),
      (2, 1, ${q(LEGACY_KEYS.unhashed)}, null, 'Old script', '2024-01-01 00:00:00', null, true),
      (3, 1, ${q(LEGACY_KEYS.wrongHash)}, ${q(sha256('not this key'))}, 'Laptop', '2024-05-05 05:05:05', null, true),
      (4, 1, ${q(LEGACY_KEYS.inactive)}, ${q(sha256(LEGACY_KEYS.inactive))}, 'Retired laptop', '2024-02-02 00:00:00', null, false),
      (5, 2, ${q(LEGACY_KEYS.oldShape)}, null, 'Bob key', '2025-10-21 00:00:00', null, true),
      ${DAVE_KEYS.map((key, i) => `(${10 + i}, 5, ${q(key)}, ${q(sha256(key))}, 'Dave ${i}', '2025-03-01 00:00:00', null, true)`).join(',\n      ')};
    select setval('api_keys_id_seq', 25);

    insert into usage (user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, error_message, ip_address, user_agent, "timestamp") values
      (1, 1, '/api/weather/location', 'Melbourne', 'VIC', '2025-08-01', '2025-08-03', 120, 200, null, '203.0.113.7', 'curl/8.0', '2025-08-03 23:30:00'),
      (1, 1, '/api/weather/location', 'Melbourne', 'VIC', '2025-08-01', '', 80, 200, null, '203.0.113.7', 'curl/8.0', '2025-08-03 23:40:00'),
      (1, null, '/api/weather/location', 'Sydney', 'NSW', '', '', 95, 200, null, '203.0.113.7', 'python-requests', '2025-08-10 01:00:00'),
      (1, 2, '/api/weather/location', 'Atlantis', 'VIC', '2025-08-11', '2025-08-11', 15, 404, 'Location not found', '203.0.113.7', 'python-requests', '2025-08-11 02:00:00'),
      (1, 2, '/api/weather/location', 'Hobart', 'TAS', '2025-08-12', '2025-08-12', 150, 200, null, '203.0.113.7', 'python-requests', '2025-08-12 03:00:00'),
      (1, 3, '/api/weather/location', 'Perth', 'WA', '2025-09-01', '2025-09-02', 110, 200, null, '198.51.100.4', 'curl/8.0', '2025-09-02 04:00:00'),
      (1, 3, '/api/weather/location', 'Perth', 'WA', '2025-09-03', '2025-09-03', 90, 200, null, '198.51.100.4', 'curl/8.0', '2025-09-03 04:00:00'),
      (1, 3, '/api/weather/location', 'Perth', 'WA', '2025-09-04', '2025-09-04', 100, 200, null, '198.51.100.4', 'curl/8.0', '2025-09-04 04:00:00'),
      (1, 1, '/api/weather/location', 'Darwin', 'NT', '2025-10-01', '2025-10-01', 70, 200, null, '203.0.113.7', 'curl/8.0', '2025-10-01 00:00:00'),
      (1, 1, '/api/weather/location', 'Darwin', 'NT', '2025-10-02', '2025-10-02', 70, 200, null, '203.0.113.7', 'curl/8.0', '2025-10-02 00:00:00'),
      (1, 1, '/api/weather/location', 'Darwin', 'NT', '2025-10-03', '2025-10-03', 70, 500, 'upstream failed', '203.0.113.7', 'curl/8.0', '2025-10-03 00:00:00'),
      (1, 1, '/api/weather/location', 'Darwin', 'NT', '2025-10-04', '2025-10-04', 70, 200, null, '203.0.113.7', 'curl/8.0', '2025-10-31 23:59:59');
    insert into usage (user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, ip_address, user_agent, "timestamp")
      select 1, 1, '/api/weather/location', 'Melbourne', 'VIC', '2025-10-0' || n, '2025-10-0' || n, 50 + n, 200, '203.0.113.7', 'curl/8.0', timestamp '2025-11-01 00:00:00' + n * interval '1 hour'
      from generate_series(1, 7) n;
    insert into usage (user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, ip_address, user_agent, "timestamp") values
      (2, 5, '/api/weather/location', 'Adelaide', 'SA', '2025-10-30', '2025-10-30', 60, 200, '192.0.2.1', 'Bob/1.0', '2025-11-02 10:00:00'),
      (2, 5, '/api/weather/location', 'Adelaide', 'SA', '2025-10-31', '2025-10-31', 65, 200, '192.0.2.1', 'Bob/1.0', '2025-11-02 11:00:00');
    insert into usage (user_id, api_key_id, endpoint, location, state, date_from, date_to, response_time_ms, status_code, ip_address, user_agent, "timestamp")
      select 5, 10 + n % 12, '/api/weather/location', 'Brisbane', 'QLD', '2025-10-15', '2025-10-15', 40, 200, '192.0.2.9', 'Dave/2.0', timestamp '2025-11-01 06:00:00' + n * interval '1 minute'
      from generate_series(1, 100) n;
    select setval('usage_id_seq', 500);

    insert into monthly_usage (user_id, month, total_requests, successful_requests, failed_requests, total_response_time_ms, last_updated) values
      (1, '2025-08', 5, 4, 1, 460, '2025-08-12 03:00:00'),
      (1, '2025-09', 2, 2, 0, 200, '2025-09-03 04:00:00'),
      (1, '2025-10', 4, 3, 1, 280, '2025-10-31 23:59:59'),
      (1, '2025-11', 6, 6, 0, 380, '2025-11-01 07:00:00'),
      (2, '2025-11', 2, 2, 0, 125, '2025-11-02 11:00:00'),
      (5, '2025-11', 100, 100, 0, 4000, '2025-11-01 07:40:00');
  `)
}
