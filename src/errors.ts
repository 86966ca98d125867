import createError from '@fastify/error'

/**
 * The closed list of error codes this API answers with. Each entry gives the HTTP status and the
 * default human sentence; routes throw these, one error handler turns them into the envelope.
 */
export const errorCatalogue = {
  VALIDATION_ERROR: [400, 'The request is not valid'],
  INVALID_JSON: [400, 'The request body is not valid JSON'],
  INVALID_NAME: [400, 'Names may not contain text-direction control characters (U+202A–U+202E, U+2066–U+2069), which can disguise text'],
  WEAK_PASSWORD: [400, 'The password is too easy to guess; choose a longer, less common one'],
  PASSWORD_UNCHANGED: [400, 'The new password is the same as the current one; choose a different password'],
  // 400 for one-time (verification, reset) tokens; answered as 401 for access and refresh tokens.
  INVALID_TOKEN: [400, 'The token is invalid or has expired'],
  UNAUTHORIZED: [401, 'Authentication is required'],
  INVALID_STATE: [400, 'Unknown state: use a code such as VIC or a full name such as Victoria'],
  INVALID_STATION_ID: [400, 'station_id must be written IDCJDW followed by four digits, e.g. IDCJDW3050'],
  // With `station_id` and `station_state` or `location_station_id`.
  STATION_MISMATCH: [400, 'station_id and location/state name different stations; give one of them, or both naming the same station'],
  INVALID_DATE: [400, 'Dates must be real calendar dates written YYYY-MM-DD, not in the future, with date_from on or before date_to'],
  RANGE_TOO_LARGE: [400, 'The date range is too long'],
  // With `unknown_fields` and `valid_fields`.
  UNKNOWN_FIELD: [400, 'fields= names a field that daily records do not have'],
  INVALID_CREDENTIALS: [401, 'Invalid email or password'],
  TOKEN_EXPIRED: [401, 'The access token has expired; refresh it'],
  SESSION_ENDED: [401, 'This session has ended (logged out, or the password was changed); log in again'],
  API_KEY_MISSING: [401, 'An API key is required: send it in the X-API-Key header'],
  LOGIN_TOKEN_NOT_ACCEPTED: [401, 'This route takes an API key, not a login access token: send a key (fw_…) in the X-API-Key header; create one on the dashboard or with POST /api/keys'],
  API_KEY_NOT_ACCEPTED: [401, 'This route takes a login access token, not an API key: log in (POST /api/auth/login) and send its access_token as Authorization: Bearer <token>'],
  API_KEY_IN_QUERY: [401, 'API keys are accepted only in the X-API-Key or Authorization header, never in the URL'],
  API_KEY_MALFORMED: [401, 'The API key is malformed'],
  API_KEY_INVALID: [401, 'The API key is not valid'],
  API_KEY_INACTIVE: [401, 'The API key has been deactivated'],
  API_KEY_REVOKED: [401, 'The API key has been deleted'],
  API_KEY_EXPIRED: [401, 'The API key has expired'],
  ACCOUNT_DISABLED: [401, 'This account has been deactivated'],
  FORBIDDEN: [403, 'You do not have permission to do this'],
  EMAIL_NOT_VERIFIED: [403, 'Please verify your email address before logging in'],
  NOT_FOUND: [404, 'Not found'],
  LOCATION_NOT_FOUND: [404, 'No weather station of that state matches the location'],
  STATION_NOT_FOUND: [404, 'No station has that station_id; GET /api/weather/stations lists them'],
  NO_RECENT_OBSERVATIONS: [404, 'This station has no observations in the last 7 days; ask for dates with date_from and date_to'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  KEY_LIMIT_REACHED: [400, 'You have reached the maximum number of active API keys for your tier'],
  KEY_INACTIVE: [409, 'This API key is not active'],
  // With `successor_id`: a rotated key is not rotated again (a retry would issue a second successor).
  KEY_ROTATING: [409, 'This API key has already been rotated and is in its grace period; use its successor'],
  ADMIN_SELF_LOCKOUT: [400, 'You cannot remove your own admin role or deactivate your own account; ask another admin'],
  EMAIL_TAKEN: [409, 'An account with this email already exists'],
  // With `pruned_months` and `oldest_kept_month`: retention dropped the rows; the daily report still covers the month.
  USAGE_PRUNED: [410, 'The request log of that month is past the retention period and has been deleted; GET /api/usage/daily still reports its days'],
  PAYLOAD_TOO_LARGE: [413, 'The request body is too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported content type; send application/json'],
  ACCOUNT_LOCKED: [429, 'Too many failed logins; try again later'],
  QUOTA_EXCEEDED: [429, 'The monthly request quota of your tier is used up'],
  RATE_LIMITED: [429, 'Too many requests; slow down'],
  INTERNAL_ERROR: [500, 'Something went wrong on our side'],
  UPSTREAM_UNAVAILABLE: [502, 'The Bureau of Meteorology could not be reached and the data is not stored yet; try again later'],
  SERVICE_UNAVAILABLE: [503, 'The service is temporarily unavailable; try again shortly'],
} as const satisfies Record<string, readonly [number, string]>

export type ErrorCode = keyof typeof errorCatalogue

export interface ApiErrorOptions {
  message?: string
  /** Only for codes whose status depends on where they are answered (INVALID_TOKEN). */
  statusCode?: number
  /** Extra top-level fields of the error body (e.g. `details`, `suggestions`). */
  extra?: Record<string, unknown>
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>
}

const constructors = Object.fromEntries(
  Object.entries(errorCatalogue).map(([code, [status, message]]) => [code, createError(code, message, status)]),
) as Record<ErrorCode, ReturnType<typeof createError>>

export type ApiError = Error & {
  code: ErrorCode
  statusCode: number
  extra?: Record<string, unknown>
  headers?: Record<string, string>
}

/** Builds the error for `code`; throw it from a route or a service. */
export function apiError(code: ErrorCode, options: ApiErrorOptions = {}): ApiError {
  const error = new constructors[code]() as ApiError
  if (options.message !== undefined) error.message = options.message
  if (options.statusCode !== undefined) error.statusCode = options.statusCode
  if (options.extra !== undefined) error.extra = options.extra
  if (options.headers !== undefined) error.headers = options.headers
  return error
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof Error && typeof (error as ApiError).code === 'string' && (error as ApiError).code in errorCatalogue
}
