import { Type, type Static } from '@sinclair/typebox'
import { ROLES, TIERS } from '../db/schema/index.js'
import type { AdminStats } from '../services/admin.js'
import { Success } from './common.js'
import { UserSchema } from './user.js'

/** OpenAPI metadata shared by every admin route. */
export const adminDocs = { tags: ['admin'], security: [{ bearerAuth: [] }] }

const TierName = Type.Union(TIERS.map((t) => Type.Literal(t)))
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)))

export const MAX_MONTHLY_QUOTA = 1_000_000_000
export const MAX_RATE_LIMIT_PER_HOUR = 1_000_000
export const MAX_API_KEYS_LIMIT = 1000
export const MAX_USER_OFFSET = 1_000_000

/**
 * PostgreSQL cannot take a NUL in a text parameter: the query fails, which would be a 500. No
 * stored name or email holds a control character, so text compared with them refuses them all.
 */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$'

export const ListUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, pattern: NO_CONTROL_CHARACTERS, description: 'Part of the email or full name, any case' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: MAX_USER_OFFSET, default: 0 }),
})

export const UserIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })

export const USER_CHANGE_FIELDS = ['tier', 'is_active', 'role'] as const
export const UpdateUserBody = Type.Object(
  { tier: Type.Optional(TierName), is_active: Type.Optional(Type.Boolean()), role: Type.Optional(Role) },
  { description: `At least one of ${USER_CHANGE_FIELDS.join(', ')}; other fields are ignored` },
)

export const TierNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 50, pattern: NO_CONTROL_CHARACTERS }) })

export const TIER_CHANGE_FIELDS = ['monthly_quota', 'rate_limit_per_hour', 'max_api_keys'] as const
export const UpdateTierBody = Type.Object(
  {
    monthly_quota: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_MONTHLY_QUOTA }), Type.Null()], { description: 'null: unlimited' })),
    rate_limit_per_hour: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RATE_LIMIT_PER_HOUR })),
    max_api_keys: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_API_KEYS_LIMIT })),
  },
  { description: `At least one of ${TIER_CHANGE_FIELDS.join(', ')}; other fields are ignored` },
)

/**
 * The edit routes check their bodies without type coercion (routes/admin/edit-body.ts), so null
 * and wrong types are refused by the schema. What it cannot say: at least one known field is
 * present. A body that is not an object is left to the schema.
 */
export function missingChange(body: unknown, fields: readonly string[]): { field: string; message: string }[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return []
  const record = body as Record<string, unknown>
  if (fields.some((f) => record[f] !== undefined)) return []
  return [{ field: 'body', message: `must contain at least one of ${fields.join(', ')}` }]
}

export const UserListResponse = Success({
  users: Type.Array(UserSchema),
  total: Type.Integer({ description: 'How many users match, over all pages' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
})
export const AdminUserResponse = Success({ user: UserSchema })

const Count = Type.Integer({ minimum: 0 })

export const StatsResponse = Success({
  month: Type.String({ description: 'The current UTC month, YYYY-MM' }),
  users: Type.Object({
    total: Count,
    active: Count,
    admins: Count,
    by_tier: Type.Object(Object.fromEntries(TIERS.map((t) => [t, Count])) as Record<(typeof TIERS)[number], typeof Count>),
  }),
  api_keys: Type.Object({ active: Type.Integer({ minimum: 0, description: 'Usable now: not deactivated, deleted or expired, and the owner is active' }) }),
  requests_this_month: Type.Integer({ minimum: 0, description: 'Counted requests of every user in the current UTC month' }),
  database_size_bytes: Type.Union([Type.Integer(), Type.Null()], { description: 'null when the database cannot report it' }),
})

export type StatsDto = Static<typeof StatsResponse>

export function toStatsDto(stats: AdminStats): StatsDto {
  return {
    success: true,
    month: stats.month,
    users: { total: stats.users.total, active: stats.users.active, admins: stats.users.admins, by_tier: stats.users.byTier },
    api_keys: { active: stats.activeApiKeys },
    requests_this_month: stats.requestsThisMonth,
    database_size_bytes: stats.databaseSizeBytes,
  }
}
