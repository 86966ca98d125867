import { createHmac } from 'node:crypto'
import { lte, sql } from 'drizzle-orm'
import { addMs } from '../clock.js'
import type { Database } from '../db/client.js'
import { loginThrottle } from '../db/schema/index.js'
import { normalizeEmail } from './emails.js'

export interface LoginWindow {
  maxFailures: number
  windowMs: number
}

/**
 * Counts failed logins against emails without an account, by the same rule the users table
 * applies to real ones, so the lockout answers the same whether or not an account exists.
 */
export function createLoginThrottle(db: Database, secret: string, { maxFailures, windowMs }: LoginWindow) {
  const keyOf = (email: string) =>
    createHmac('sha256', secret).update('login-throttle:').update(normalizeEmail(email)).digest('base64url')

  /**
   * Takes one attempt for the email, atomically. Answers null when one was taken, or the start
   * of the window that locks the email.
   */
  async function take(email: string, now: Date): Promise<Date | null> {
    const emailKey = keyOf(email)
    const windowStart = addMs(now, -windowMs)
    // Purging as rows are added keeps the table to the emails tried within one window.
    await db.delete(loginThrottle).where(lte(loginThrottle.windowStart, windowStart))
    const inWindow = sql`${loginThrottle.windowStart} > ${windowStart.toISOString()}::timestamptz`
    const [taken] = await db
      .insert(loginThrottle)
      .values({ emailKey, attempts: 1, windowStart: now })
      .onConflictDoUpdate({
        target: loginThrottle.emailKey,
        set: {
          attempts: sql`case when ${inWindow} then ${loginThrottle.attempts} + 1 else 1 end`,
          windowStart: sql`case when ${inWindow} then ${loginThrottle.windowStart} else ${now.toISOString()}::timestamptz end`,
        },
        setWhere: sql`${loginThrottle.attempts} < ${maxFailures} or not (${inWindow})`,
      })
      .returning({ emailKey: loginThrottle.emailKey })
    if (taken) return null
    const [locked] = await db
      .select({ windowStart: loginThrottle.windowStart })
      .from(loginThrottle)
      .where(sql`${loginThrottle.emailKey} = ${emailKey}`)
    return locked?.windowStart ?? now
  }

  return { take }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
