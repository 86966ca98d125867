import { LEGACY_PASSWORDS } from '../fixtures/legacy/accounts.js'
import type { ScratchDatabase } from './legacy-database.js'

/** One key that two rows hold (possible once the old unique constraint is gone). */
export const SHARED_KEY = 'fw_J1cXc0f8cQm7Y0nQx6pV3wq4bEwQm4t2aZrT8yHhK0s'

/**
 * An old database with one row of each kind that cannot come across as it is. Some need
 * constraints the old schema declares to be missing, as in databases created before them or
 * restored without them: the tier check, the unique key_value, and the foreign keys.
 */
export async function fillConflictingRows(database: ScratchDatabase): Promise<void> {
  const hash = LEGACY_PASSWORDS.alice.hash.replace(/'/g, "''")
  await database.exec(`
    alter table users drop constraint check_tier;
    alter table api_keys drop constraint api_keys_key_value_key;
    alter table usage drop constraint usage_user_id_fkey;
    alter table usage drop constraint usage_api_key_id_fkey;
    alter table monthly_usage drop constraint monthly_usage_user_id_fkey;

    insert into users (id, email, password_hash, full_name, created_at, tier) values
      (1, 'Ann@Example.com', '${hash}', 'Ann (first account)', '2024-01-01 00:00:00', 'free'),
      (2, 'ann@example.com', '${hash}', 'Ann (second account)', '2024-06-01 00:00:00', 'pro'),
      (3, 'not-an-email', '${hash}', 'Carl', '2024-01-01 00:00:00', 'free'),
      (4, 'dan@example.com', '${hash}', 'Dan', '2024-01-01 00:00:00', 'premium'),
      (5, 'eve@example.com', '${hash}', 'Eve', '2024-01-01 00:00:00', null),
      (6, 'fay@example.com', '${hash}', null, '2024-01-01 00:00:00', 'free');
    select setval('users_id_seq', 6);
    insert into api_keys (id, user_id, key_value, key_hash, name, created_at, is_active) values
      (1, 1, '${SHARED_KEY}', null, 'first', '2024-01-02 00:00:00', true),
      (2, 2, '${SHARED_KEY}', null, 'copy', '2024-06-02 00:00:00', true),
      (3, 6, 'short', null, 'too short', '2024-01-02 00:00:00', true);
    select setval('api_keys_id_seq', 3);
    insert into usage (id, user_id, api_key_id, endpoint, date_from, date_to, response_time_ms, status_code, "timestamp") values
      (1, 1, 1, '/api/weather/location', '2025-10-01', '2025-10-01', 50, 200, '2025-10-05 00:00:00'),
      (2, 99, null, '/api/weather/location', '2025-10-01', '2025-10-01', 50, 200, '2025-10-05 00:00:00'),
      (3, 6, 77, '/api/weather/location', '2025-10-01', '2025-10-01', 50, 200, '2025-10-05 00:00:00'),
      (4, 6, null, '/api/weather/location', 'yesterday', '2025-10-01', 50, 400, '2025-10-05 00:00:00'),
      (5, 1, 1, '/api/weather/location', '2025-10-01', '2025-10-01', null, 200, '2025-10-05 00:00:00');
    select setval('usage_id_seq', 5);
    insert into monthly_usage (user_id, month, total_requests, successful_requests, failed_requests, total_response_time_ms, last_updated) values
      (1, '2025-10', 2, 2, 0, 50, '2025-10-05 00:00:00'),
      (99, '2025-10', 1, 1, 0, 50, '2025-10-05 00:00:00');
  `)
}

/** Every option the conflicting database needs, one per kind of conflict in it. */
export const RESOLVING_OPTIONS = [
  '--keep-email', 'ann@example.com=2',
  '--set-email', '3=carl@example.com',
  '--map-tier', 'premium=pro',
  '--set-tier', '5=enterprise',
  '--retire-key', '2',
  '--retire-key', '3',
  '--drop-orphans',
  '--detach-orphan-usage',
  '--clear-invalid-dates',
  '--fill-missing',
]
