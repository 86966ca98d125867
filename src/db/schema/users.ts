import { sql } from 'drizzle-orm'
import { boolean, check, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { tiers } from './tiers.js'

export const TIERS = ['free', 'pro', 'enterprise'] as const
export const ROLES = ['user', 'admin'] as const

export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    // Stored trimmed and lower-cased, so the unique index is case-insensitive.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    fullName: text('full_name').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    tier: text('tier', { enum: TIERS })
      .notNull()
      .default('free')
      .references(() => tiers.name),
    role: text('role', { enum: ROLES }).notNull().default('user'),
    isActive: boolean('is_active').notNull().default(true),
    loginAttempts: integer('login_attempts').notNull().default(0),
    lastLoginAttempt: timestamp('last_login_attempt', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLogin: timestamp('last_login', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    check('users_tier_check', sql`${t.tier} in ('free', 'pro', 'enterprise')`),
    check('users_role_check', sql`${t.role} in ('user', 'admin')`),
    check('users_email_lowercase_check', sql`${t.email} = lower(${t.email})`),
  ],
)

export type User = typeof users.$inferSelect
export type NewUser = typeof users.$inferInsert
