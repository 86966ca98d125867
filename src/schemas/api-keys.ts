import { Type, type Static } from '@sinclair/typebox'
import type { ApiKey } from '../db/schema/index.js'
import { KEY_STATUSES, type KeyStatus } from '../services/api-keys.js'
import { Success, Timestamp } from './common.js'

export const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  key_prefix: Type.String({ description: 'The first characters of the key, for telling keys apart' }),
  created_at: Timestamp,
  last_used: Type.Union([Timestamp, Type.Null()]),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  is_active: Type.Boolean({ description: 'Usable now: not deactivated and not expired' }),
  status: Type.Union(KEY_STATUSES.map((s) => Type.Literal(s)), { description: 'active (usable now), deactivated, or expired (also a rotated key after its grace period)' }),
})

export type ApiKeyDto = Static<typeof ApiKeySchema>

export function toApiKeyDto(key: ApiKey, status: KeyStatus): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    key_prefix: key.keyPrefix,
    created_at: key.createdAt.toISOString(),
    last_used: key.lastUsed?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
    is_active: status === 'active',
    status,
  }
}

const KeyName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$' })

export const KeyIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) })
export const ListKeysQuery = Type.Object({ include_inactive: Type.Boolean({ default: false }) })
export const CreateKeyBody = Type.Object({
  name: Type.Optional(KeyName),
  expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
})
export const RenameKeyBody = Type.Object({ name: KeyName })

export const KeyListResponse = Success({ api_keys: Type.Array(ApiKeySchema), total: Type.Integer() })
export const KeyResponse = Success({ api_key: ApiKeySchema })
export const KeyMessageResponse = Success({ message: Type.String(), api_key: ApiKeySchema })
export const NewKeyResponse = Success({
  message: Type.String(),
  api_key: ApiKeySchema,
  key_value: Type.String({ description: 'The key itself: shown this once, never again' }),
  old_key_expires_at: Type.Optional(Timestamp),
})
