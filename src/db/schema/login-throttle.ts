import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Failed logins for emails that have no account, so that an unknown email locks exactly like
 * a known one. The key is a keyed hash of the normalized email (no address is stored), and a
 * row lives only for its lockout window: expired rows are purged, so guessing at many
 * addresses cannot grow the table beyond what the login rate limit lets through in a window.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    emailKey: text('email_key').primaryKey(),
    attempts: integer('attempts').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  },
  (t) => [index('login_throttle_window_start_idx').on(t.windowStart)],
)
