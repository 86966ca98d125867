/**
 * `npm run admin:grant -- EMAIL`: gives the account with that email (trimmed, any case) the
 * admin role. Exits 0 when the account is an admin afterwards, 1 when no account has that email,
 * 2 on a usage error.
 */
import { systemClock } from '../src/clock.js'
import { createAdmin } from '../src/services/admin.js'
import { normalizeEmail } from '../src/services/emails.js'
import { revokeAllSessions } from '../src/services/sessions.js'
import { openScriptContext } from './context.js'

const args = process.argv.slice(2)
const email = normalizeEmail(args[0] ?? '')
if (args.length !== 1 || email === '') {
  console.error('usage: npm run admin:grant -- EMAIL')
  process.exit(2)
}

const ctx = await openScriptContext()
let exitCode = 0
try {
  const { db } = ctx.database
  const admin = createAdmin({ db, clock: systemClock, sessions: { revokeAllForUser: (id) => revokeAllSessions(db, systemClock, id) } })
  const result = await admin.grantAdmin(email)
  if (!result) {
    console.error(`no account has the email ${email}; the user must sign up first`)
    exitCode = 1
  } else {
    const { user, changed } = result
    console.log(changed ? `${user.email} (user ${user.id}) is now an admin` : `${user.email} (user ${user.id}) was already an admin; nothing changed`)
    if (!user.isActive) console.log('note: this account is deactivated, so it cannot sign in until an admin reactivates it')
  }
} finally {
  await ctx.close()
}
process.exit(exitCode)
