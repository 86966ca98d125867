import { Type, type Static } from '@sinclair/typebox'
import { ROLES, TIERS, type User } from '../db/schema/index.js'
import { Timestamp } from './common.js'

export const UserSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  full_name: Type.String(),
  email_verified: Type.Boolean(),
  tier: Type.Union(TIERS.map((t) => Type.Literal(t))),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  last_login: Type.Union([Timestamp, Type.Null()]),
})

export type UserDto = Static<typeof UserSchema>

/** The public view of a user: never a hash, never a token. */
export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    email_verified: user.emailVerified,
    tier: user.tier,
    role: user.role,
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
    last_login: user.lastLogin?.toISOString() ?? null,
  }
}
