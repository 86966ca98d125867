import { eq } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { users, type User } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import type { accountEmails } from './account-emails.js'
import { assertPasswordAllowed, type Accounts } from './accounts.js'
import type { Mailer } from './mailer.js'
import type { OneTimeTokens } from './one-time-tokens.js'

export interface RecoveryDeps {
  db: Database
  accounts: Accounts
  tokens: OneTimeTokens
  mailer: Mailer
  emails: ReturnType<typeof accountEmails>
}

/**
 * Email verification and password reset. Requests that name an email answer the same whatever
 * the email, and send at most one email per account per cooldown, silently.
 */
export function createAccountRecovery({ db, accounts, tokens, mailer, emails }: RecoveryDeps) {
  async function verifyEmail(token: string): Promise<User> {
    const userId = await tokens.consume(token, 'verify_email')
    if (userId === null) throw apiError('INVALID_TOKEN')
    const [user] = await db.update(users).set({ emailVerified: true }).where(eq(users.id, userId)).returning()
    if (!user) throw apiError('INVALID_TOKEN')
    return user
  }

  async function resendVerification(email: string): Promise<void> {
    const user = await accounts.findByEmail(email)
    if (!user || user.emailVerified || !user.isActive) return
    if (await tokens.issuedWithinCooldown(user.id, 'verify_email')) return
    await accounts.sendVerification(user)
  }

  async function forgotPassword(email: string): Promise<void> {
    const user = await accounts.findByEmail(email)
    if (!user || !user.isActive) return
    if (await tokens.issuedWithinCooldown(user.id, 'reset_password')) return
    mailer.send(emails.passwordReset(user.email, await tokens.issue(user.id, 'reset_password')))
  }

  /** The password is checked before the token is spent, so a rejected password keeps the link usable. */
  async function resetPassword(token: string, newPassword: string): Promise<void> {
    assertPasswordAllowed(newPassword, 'new_password')
    const userId = await tokens.consume(token, 'reset_password')
    if (userId === null) throw apiError('INVALID_TOKEN')
    await accounts.setPassword(userId, newPassword)
    // Following the emailed link proves the address, as verification does.
    await db.update(users).set({ emailVerified: true }).where(eq(users.id, userId))
  }

  return { verifyEmail, resendVerification, forgotPassword, resetPassword }
}

export type AccountRecovery = ReturnType<typeof createAccountRecovery>
