import { sql } from 'drizzle-orm'
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { users } from './users.js'

/**
 * API keys, stored only as the SHA-256 hex digest of the whole key plus a short display prefix.
 * Deleting a key keeps its row (and so its usage history) with `deleted_at` set. A rotated key
 * names its successor in `rotated_to` and works until its `expires_at` (the grace period).
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsed: timestamp('last_used', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    rotatedTo: integer('rotated_to').references((): AnyPgColumn => apiKeys.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    index('api_keys_user_idx').on(t.userId),
    // Only for the foreign key's ON DELETE: few keys have a successor, so the index stays small.
    index('api_keys_rotated_to_idx').on(t.rotatedTo).where(sql`${t.rotatedTo} is not null`),
  ],
)

export type ApiKey = typeof apiKeys.$inferSelect
