/**
 * The tables the previous (Flask) service created, column by column with the base type that
 * PostgreSQL reports for it (`format_type` without length). A database is taken for the old
 * service's only when its public schema holds exactly these: any other column would be lost.
 */
export const LEGACY_TABLES = {
  users: {
    id: 'integer',
    email: 'character varying',
    password_hash: 'text',
    full_name: 'character varying',
    email_verified: 'boolean',
    verification_token: 'text',
    verification_token_expires: 'timestamp without time zone',
    reset_token: 'text',
    reset_token_expires: 'timestamp without time zone',
    created_at: 'timestamp without time zone',
    last_login: 'timestamp without time zone',
    tier: 'character varying',
    is_active: 'boolean',
    login_attempts: 'integer',
    last_login_attempt: 'timestamp without time zone',
  },
  api_keys: {
    id: 'integer',
    user_id: 'integer',
    key_value: 'text',
    key_hash: 'text',
    name: 'character varying',
    created_at: 'timestamp without time zone',
    last_used: 'timestamp without time zone',
    is_active: 'boolean',
  },
  usage: {
    id: 'integer',
    user_id: 'integer',
    api_key_id: 'integer',
    endpoint: 'text',
    location: 'text',
    state: 'text',
    date_from: 'text',
    date_to: 'text',
    response_time_ms: 'integer',
    status_code: 'integer',
    error_message: 'text',
    ip_address: 'character varying',
    user_agent: 'text',
    timestamp: 'timestamp without time zone',
  },
  monthly_usage: {
    id: 'integer',
    user_id: 'integer',
    month: 'character varying',
    total_requests: 'integer',
    successful_requests: 'integer',
    failed_requests: 'integer',
    total_response_time_ms: 'bigint',
    last_updated: 'timestamp without time zone',
  },
} as const

export type LegacyTable = keyof typeof LEGACY_TABLES
export const LEGACY_TABLE_NAMES = Object.keys(LEGACY_TABLES) as LegacyTable[]

/**
 * Where the old tables wait while the adoption runs: moved out of `public` so that the
 * migrations create this service's tables under the same names, then dropped with everything
 * in them (clear keys and tokens included) before the transaction commits.
 */
export const LEGACY_SCHEMA = 'flask_legacy'
