import { eq } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { users, type User } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import type { accountEmails } from './account-emails.js'
import { assertPasswordAllowed, type Accounts } from './accounts.js'
import type { Mailer } from './mailer.js'
import type { OneTimeTokens } from './one-time-tokens.js'
import type { TokenPurpose } from '../db/schema/index.js'

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
const UNUSABLE_LINK = {
  used: 'This link has already been used',
  expired: 'This link has expired',
  unknown: 'This link is not valid: it may have been replaced by a newer email, or copied incompletely',
} as const

export function createAccountRecovery({ db, accounts, tokens, mailer, emails }: RecoveryDeps) {
  /** INVALID_TOKEN with the reason (`used`, `expired`, `unknown`), so a page can say what to do next. */
  async function unusable(token: string, purpose: TokenPurpose) {
    const inspection = await tokens.inspect(token, purpose)
    // A token that turned valid again cannot happen; a race with its own use reads as used.
    const reason = inspection.state === 'valid' ? 'used' : inspection.state
    return apiError('INVALID_TOKEN', { message: UNUSABLE_LINK[reason], extra: { reason } })
  }

  async function verifyEmail(token: string): Promise<User> {
    const userId = await tokens.consume(token, 'verify_email')
    if (userId === null) throw await unusable(token, 'verify_email')
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

  /** Whether a reset link can still be used, before its holder types a new password. */
  async function checkResetToken(token: string): Promise<{ expiresAt: Date }> {
    const inspection = await tokens.inspect(token, 'reset_password')
    if (inspection.state !== 'valid') throw await unusable(token, 'reset_password')
    return { expiresAt: inspection.expiresAt }
  }

  /** The password is checked before the token is spent, so a rejected password keeps the link usable. */
  async function resetPassword(token: string, newPassword: string): Promise<void> {
    assertPasswordAllowed(newPassword, 'new_password')
    const userId = await tokens.consume(token, 'reset_password')
    if (userId === null) throw await unusable(token, 'reset_password')
    await accounts.setPassword(userId, newPassword)
    // Following the emailed link proves the address, as verification does.
    await db.update(users).set({ emailVerified: true }).where(eq(users.id, userId))
  }

  return { verifyEmail, resendVerification, forgotPassword, checkResetToken, resetPassword }
}

export type AccountRecovery = ReturnType<typeof createAccountRecovery>
