import { sql } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { TIERS } from '../../db/schema/index.js'
import { normalizeEmail } from '../emails.js'
import { isVerifiableHash } from '../passwords.js'
import { isUsableEmail } from './email-rule.js'
import { conflictList, legacyTable, plural, type Db, type TableReview, type Tier } from './findings.js'
import type { Resolutions } from './options.js'

interface LegacyUser {
  id: number
  email: string
  tier: string | null
  password_hash: string
  no_name: boolean
  no_created_at: boolean
  verification_token: boolean
  reset_token: boolean
  verified_unknown: boolean
  active_unknown: boolean
  attempts_unknown: boolean
}

/** Each account as it will be stored: the address it logs in with and its tier. */
export interface UserPlan {
  id: number
  email: string
  tier: Tier
}

/**
 * The address an account that loses a shared email gets: unique (it names the account), never
 * deliverable (`.invalid` is reserved), and still found by a search for the original address.
 */
export function standInEmail(address: string, id: number): string {
  return `${address}.duplicate-${id}.invalid`
}

const FILL = '--fill-missing'

export async function reviewUsers(db: Db, schema: string, resolutions: Resolutions): Promise<TableReview<UserPlan[]>> {
  const rows = await selectRows<LegacyUser>(db, sql`
    select id, email, tier, password_hash, full_name is null as no_name, created_at is null as no_created_at,
      verification_token is not null as verification_token, reset_token is not null as reset_token,
      email_verified is null as verified_unknown, is_active is null as active_unknown, login_attempts is null as attempts_unknown
    from ${legacyTable(schema, 'users')} order by id`)
  const conflicts = conflictList('users')
  const optionProblems: string[] = []
  const ids = new Set(rows.map((r) => r.id))

  // Addresses: the operator's replacements first, then every other normalised as we store them.
  const emails = new Map<number, string>()
  let normalised = 0
  for (const row of rows) {
    const replacement = resolutions.setEmail.get(row.id)
    const email = replacement ?? normalizeEmail(row.email)
    if (!replacement && email !== row.email) normalised++
    if (!replacement && !isUsableEmail(row.email)) {
      conflicts.add(row.id, `email ${JSON.stringify(row.email)} is not an address this service accepts`, `--set-email ${row.id}=ADDRESS`)
    }
    emails.set(row.id, email)
  }
  for (const id of resolutions.setEmail.keys()) if (!ids.has(id)) optionProblems.push(`--set-email ${id}=…: there is no account ${id}`)

  const holders = new Map<string, number[]>()
  for (const [id, email] of emails) holders.set(email, [...(holders.get(email) ?? []), id])
  const standIns: string[] = []
  for (const [email, accounts] of holders) {
    if (accounts.length < 2) continue
    const keeper = resolutions.keepEmail.get(email)
    if (keeper !== undefined && accounts.includes(keeper)) {
      for (const id of accounts) if (id !== keeper) {
        emails.set(id, standInEmail(email, id))
        standIns.push(`account ${id} logs in as ${standInEmail(email, id)} (account ${keeper} keeps ${email})`)
      }
      continue
    }
    const originals = rows.filter((r) => accounts.includes(r.id)).map((r) => JSON.stringify(r.email))
    conflicts.add(accounts, `emails ${originals.join(', ')} are one address here (emails are compared without case)`,
      `--keep-email ${email}=ID (one of ${accounts.join(', ')}), or --set-email ID=ADDRESS for all but one`)
  }
  for (const [email, keeper] of resolutions.keepEmail) {
    const accounts = holders.get(email) ?? []
    if (accounts.length < 2) optionProblems.push(`--keep-email ${email}=${keeper}: no two accounts share that address`)
    else if (!accounts.includes(keeper)) optionProblems.push(`--keep-email ${email}=${keeper}: account ${keeper} does not hold that address (${accounts.join(', ')} do)`)
  }

  // Tiers: an account's own setting, else the mapping of its old tier, else the old tier itself.
  const plan: UserPlan[] = []
  const mappedTiers = new Set<string>()
  for (const row of rows) {
    const old = row.tier ?? ''
    const mapped = resolutions.mapTier.get(old)
    if (mapped) mappedTiers.add(old)
    const tier = resolutions.setTier.get(row.id) ?? mapped ?? old
    if (!(TIERS as readonly string[]).includes(tier)) {
      conflicts.add(row.id, row.tier === null ? 'has no tier' : `tier ${JSON.stringify(row.tier)} is not a tier here (${TIERS.join(', ')})`,
        `--map-tier ${row.tier ?? ''}=TIER, or --set-tier ${row.id}=TIER`)
    }
    if (row.no_name && !resolutions.fillMissing) conflicts.add(row.id, 'has no full name', `${FILL} (stores an empty name)`)
    if (row.no_created_at && !resolutions.fillMissing) conflicts.add(row.id, 'has no creation time', `${FILL} (stores the time of the adoption)`)
    plan.push({ id: row.id, email: emails.get(row.id)!, tier: tier as Tier })
  }
  for (const id of resolutions.setTier.keys()) if (!ids.has(id)) optionProblems.push(`--set-tier ${id}=…: there is no account ${id}`)
  for (const old of resolutions.mapTier.keys()) {
    if (!mappedTiers.has(old)) optionProblems.push(`--map-tier ${old}=…: no account has ${old === '' ? 'no tier' : `the tier "${old}"`}`)
  }

  const count = (test: (r: LegacyUser) => boolean) => rows.filter(test).length
  const notes = [
    normalised > 0 ? `${plural(normalised, 'email')} stored trimmed and in lower case, as this service stores every address` : '',
    ...standIns,
    `${plural(count((r) => r.verification_token), 'verification token')} and ${plural(count((r) => r.reset_token), 'reset token')} (stored in clear) are not carried over: their owners ask for a new email`,
    ...[
      [count((r) => r.verified_unknown), 'verification state', 'unverified'],
      [count((r) => r.active_unknown), 'active flag', 'active'],
      [count((r) => r.attempts_unknown), 'failed-login counter', '0'],
    ].filter(([n]) => (n as number) > 0).map(([n, what, value]) => `without a ${what} (${plural(n as number, 'account')}): ${value}, the old column's default`),
    resolutions.fillMissing && count((r) => r.no_name) > 0 ? `without a full name (${plural(count((r) => r.no_name), 'account')}): an empty one (--fill-missing)` : '',
    resolutions.fillMissing && count((r) => r.no_created_at) > 0 ? `without a creation time (${plural(count((r) => r.no_created_at), 'account')}): the time of the adoption (--fill-missing)` : '',
  ].filter(Boolean)

  const unverifiable = rows.filter((r) => !isVerifiableHash(r.password_hash)).map((r) => r.id)
  const bcrypt = rows.length - unverifiable.length - count((r) => r.password_hash.startsWith('$argon2'))
  const warnings = unverifiable.length > 0
    ? [`accounts ${unverifiable.join(', ')}: the password hash is neither bcrypt nor argon2, so the old password cannot log in; the owner resets it (forgot password)`]
    : []
  if (bcrypt > 0) notes.push(`${plural(bcrypt, 'bcrypt password hash', 'bcrypt password hashes')} kept: each becomes argon2id at its owner's next login`)

  return { conflicts: conflicts.list(), optionProblems, notes, warnings, leftBehind: 0, plan }
}
