import { and, eq, lte, or, sql, isNull } from 'drizzle-orm'
import { addMs, MINUTE, type Clock } from '../clock.js'
import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import { users, type User } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import type { accountEmails } from './account-emails.js'
import { normalizeEmail } from './emails.js'
import { assertPlainName } from './names.js'
import type { LoginThrottle } from './login-throttle.js'
import type { Mailer } from './mailer.js'
import type { OneTimeTokens } from './one-time-tokens.js'
import { isTooCommon } from './password-policy.js'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.js'
import type { SessionStore } from './sessions.js'

export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_WINDOW_MS = 15 * MINUTE

export interface AccountDeps {
  db: Database
  clock: Clock
  config: Pick<Config, 'adminEmails' | 'requireEmailVerification'>
  mailer: Mailer
  emails: ReturnType<typeof accountEmails>
  sessions: SessionStore
  tokens: OneTimeTokens
  unknownEmails: LoginThrottle
}

export function assertPasswordAllowed(password: string, field: string): void {
  if (isTooCommon(password)) {
    throw apiError('VALIDATION_ERROR', {
      message: 'Choose a less common password',
      extra: { details: [{ field, message: 'is too common; choose a password that is harder to guess' }] },
    })
  }
}

export function createAccounts(deps: AccountDeps) {
  const { db, clock, config, mailer, emails, sessions, tokens, unknownEmails } = deps

  // Every authenticated request reads its user: a prepared statement spares the planning.
  const byId = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare('user_by_id')

  async function findById(id: number): Promise<User | undefined> {
    const [user] = await byId.execute({ id })
    return user
  }

  const byEmail = db.select().from(users).where(eq(users.email, sql.placeholder('email'))).prepare('user_by_email')

  async function findByEmail(email: string): Promise<User | undefined> {
    const [user] = await byEmail.execute({ email: normalizeEmail(email) })
    return user
  }

  async function sendVerification(user: User): Promise<void> {
    mailer.send(emails.verification(user.email, await tokens.issue(user.id, 'verify_email')))
  }

  type SignupResult = { user: User; needsVerification: boolean } | { user: null; needsVerification: true }

  /**
   * Creates a free, plain account; nothing else in the request can set a role, tier or
   * verification. When verification is required an existing email gets the same outcome as a
   * new one (its owner is told by email), so signup cannot be used to probe for accounts.
   */
  async function signup(input: { email: string; password: string; fullName: string }): Promise<SignupResult> {
    const email = normalizeEmail(input.email)
    assertPlainName(input.fullName, 'full_name')
    assertPasswordAllowed(input.password, 'password')
    const passwordHash = await hashPassword(input.password)
    const [user] = await db
      .insert(users)
      .values({
        email,
        passwordHash,
        fullName: input.fullName.trim(),
        role: config.adminEmails.includes(email) ? 'admin' : 'user',
        createdAt: clock.now(),
      })
      .onConflictDoNothing({ target: users.email })
      .returning()
    if (!user) {
      if (!config.requireEmailVerification) throw apiError('EMAIL_TAKEN')
      mailer.send(emails.accountExists(email))
      return { user: null, needsVerification: true }
    }
    await sendVerification(user)
    return { user, needsVerification: config.requireEmailVerification }
  }

  /**
   * Takes one of the account's login attempts, atomically: answers false when the account is
   * locked (five failures within the window), so racing guesses cannot exceed the limit.
   */
  async function takeLoginAttempt(userId: number, now: Date): Promise<boolean> {
    const windowStart = addMs(now, -LOCKOUT_WINDOW_MS).toISOString()
    const [row] = await db
      .update(users)
      .set({
        loginAttempts: sql`case when ${users.lastLoginAttempt} > ${windowStart}::timestamptz then ${users.loginAttempts} + 1 else 1 end`,
        // The column holds the start of the current window: it moves only when a new one begins,
        // so failures spread wider than the window never add up to a lock.
        lastLoginAttempt: sql`case when ${users.lastLoginAttempt} > ${windowStart}::timestamptz then ${users.lastLoginAttempt} else ${now.toISOString()}::timestamptz end`,
      })
      .where(
        and(
          eq(users.id, userId),
          or(
            sql`${users.loginAttempts} < ${MAX_FAILED_LOGINS}`,
            isNull(users.lastLoginAttempt),
            lte(users.lastLoginAttempt, sql`${windowStart}::timestamptz`),
          ),
        ),
      )
      .returning({ id: users.id })
    return row !== undefined
  }

  function lockedError(windowStart: Date | null, now: Date) {
    const until = (windowStart?.getTime() ?? now.getTime()) + LOCKOUT_WINDOW_MS
    const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000))
    return apiError('ACCOUNT_LOCKED', { headers: { 'retry-after': String(seconds) }, extra: { retry_after: seconds } })
  }

  async function lockedSinceOf(user: User): Promise<Date | null> {
    return ((await findById(user.id)) ?? user).lastLoginAttempt
  }

  async function login(input: { email: string; password: string }): Promise<User> {
    const user = await findByEmail(input.email)
    const now = clock.now()
    if (!user) {
      // Unknown emails lock by the same rule, so the answer never tells whether an account exists.
      const lockedSince = await unknownEmails.take(input.email, now)
      if (lockedSince) throw lockedError(lockedSince, now)
      await verifyAgainstDummy(input.password)
      throw apiError('INVALID_CREDENTIALS')
    }
    if (!(await takeLoginAttempt(user.id, now))) throw lockedError(await lockedSinceOf(user), now)
    const check = await verifyPassword(user.passwordHash, input.password)
    if (!check.ok) throw apiError('INVALID_CREDENTIALS')
    // The right password clears the failure count even when the login is refused below.
    const allowed = user.isActive && (user.emailVerified || !config.requireEmailVerification)
    const [updated] = await db
      .update(users)
      .set({
        loginAttempts: 0,
        ...(allowed ? { lastLogin: now } : {}),
        ...(check.needsRehash ? { passwordHash: await hashPassword(input.password) } : {}),
        ...(config.adminEmails.includes(user.email) ? { role: 'admin' as const } : {}),
      })
      .where(eq(users.id, user.id))
      .returning()
    if (!user.isActive) throw apiError('ACCOUNT_DISABLED')
    if (!allowed) throw apiError('EMAIL_NOT_VERIFIED')
    return updated ?? user
  }

  /** Stores a password the caller has already checked against the policy, and ends every session. */
  async function setPassword(userId: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password)
    await db.update(users).set({ passwordHash, loginAttempts: 0 }).where(eq(users.id, userId))
    await sessions.revokeAllForUser(userId)
  }

  /** Guesses at the current password count towards the same lockout as failed logins. */
  async function changePassword(user: User, currentPassword: string, newPassword: string): Promise<void> {
    assertPasswordAllowed(newPassword, 'new_password')
    const now = clock.now()
    if (!(await takeLoginAttempt(user.id, now))) throw lockedError(await lockedSinceOf(user), now)
    const check = await verifyPassword(user.passwordHash, currentPassword)
    if (!check.ok) throw apiError('INVALID_CREDENTIALS', { message: 'The current password is wrong' })
    if (newPassword === currentPassword) throw apiError('PASSWORD_UNCHANGED', { extra: { details: [{ field: 'new_password', message: 'must differ from the current password' }] } })
    await setPassword(user.id, newPassword)
  }

  return { findById, findByEmail, signup, login, changePassword, setPassword, sendVerification }
}

export type Accounts = ReturnType<typeof createAccounts>
