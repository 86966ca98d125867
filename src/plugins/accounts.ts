import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { accountEmails } from '../services/account-emails.js'
import { createAccountRecovery, type AccountRecovery } from '../services/account-recovery.js'
import { createAccounts, LOCKOUT_WINDOW_MS, MAX_FAILED_LOGINS, type Accounts } from '../services/accounts.js'
import { createLoginThrottle } from '../services/login-throttle.js'
import { createOneTimeTokens } from '../services/one-time-tokens.js'
import { createSessionStore, sessionSecret, type SessionStore } from '../services/sessions.js'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: Accounts
    recovery: AccountRecovery
    sessions: SessionStore
  }
}

async function accountsPlugin(app: FastifyInstance) {
  const { db, clock, config, mailer } = app
  const emails = accountEmails(config.appUrl)
  const sessions = createSessionStore({ db, clock, successorSecret: sessionSecret(config.jwtSecret), changes: app.changes })
  const tokens = createOneTimeTokens({ db, clock })
  const unknownEmails = createLoginThrottle(db, config.jwtSecret, { maxFailures: MAX_FAILED_LOGINS, windowMs: LOCKOUT_WINDOW_MS })
  const accounts = createAccounts({ db, clock, config, mailer, emails, sessions, tokens, unknownEmails })

  app.decorate('sessions', sessions)
  app.decorate('accounts', accounts)
  app.decorate('recovery', createAccountRecovery({ db, accounts, tokens, mailer, emails }))
}

export default fp(accountsPlugin, { name: 'accounts', dependencies: ['database', 'mailer', 'change-feed'] })
