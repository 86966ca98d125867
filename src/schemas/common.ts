import { Type, type TSchema } from '@sinclair/typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../services/password-policy.js'

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' })

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })

export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })

/** Opaque bearer tokens we issue are 43 characters; the bound only stops absurd input early. */
export const OpaqueToken = Type.String({ minLength: 1, maxLength: 512 })

export const ErrorResponse = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.String(),
    code: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, $id: 'ErrorResponse' },
)

export const MessageResponse = Type.Object({ success: Type.Literal(true), message: Type.String() })

/** A success body: `success: true` plus the given fields. */
export function Success<T extends Record<string, TSchema>>(fields: T) {
  return Type.Object({ success: Type.Literal(true), ...fields })
}

/** The error statuses a route can answer, each with the common envelope. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse])) as Record<S, typeof ErrorResponse>
}
