import { sql } from 'drizzle-orm'
import { apiKeys, users } from '../../db/schema/index.js'
import type { Db } from './findings.js'
import { insertSelect, utc } from './insert-select.js'
import { LEGACY_SCHEMA } from './legacy-tables.js'
import type { KeyPlan } from './review-keys.js'
import type { UserPlan } from './review-users.js'

/** Rows per statement: the plan travels as one JSON parameter per batch. */
const BATCH = 5_000

function batches<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH))
  return out
}

/**
 * Accounts keep their id, password hash (bcrypt included), name, verification state, active flag,
 * failed-login counter and times; the address and tier are the plan's. Tokens stay behind.
 */
export async function copyUsers(db: Db, plan: UserPlan[], now: Date): Promise<void> {
  for (const batch of batches(plan)) {
    await db.execute(insertSelect(users, {
      id: sql`u.id`,
      email: sql`p.email`,
      passwordHash: sql`u.password_hash`,
      fullName: sql`coalesce(u.full_name, '')`,
      emailVerified: sql`coalesce(u.email_verified, false)`,
      tier: sql`p.tier`,
      isActive: sql`coalesce(u.is_active, true)`,
      loginAttempts: sql`coalesce(u.login_attempts, 0)`,
      lastLoginAttempt: utc('u.last_login_attempt'),
      createdAt: sql`coalesce(${utc('u.created_at')}, ${now.toISOString()}::timestamptz)`,
      lastLogin: utc('u.last_login'),
    }, sql`from ${sql.raw(`"${LEGACY_SCHEMA}".users`)} u
      join json_to_recordset(${JSON.stringify(batch)}::json) as p(id integer, email text, tier text) on p.id = u.id`))
  }
}

/** Keys keep their id, owner, name, activity and times; the stored secret is the plan's digest. */
export async function copyKeys(db: Db, plan: KeyPlan[], now: Date): Promise<void> {
  const at = sql`${now.toISOString()}::timestamptz`
  for (const batch of batches(plan)) {
    await db.execute(insertSelect(apiKeys, {
      id: sql`k.id`,
      userId: sql`k.user_id`,
      name: sql`coalesce(k.name, 'Default')`,
      keyHash: sql`p.hash`,
      keyPrefix: sql`p.prefix`,
      isActive: sql`coalesce(k.is_active, true) and not p.retired`,
      createdAt: sql`coalesce(${utc('k.created_at')}, ${at})`,
      lastUsed: utc('k.last_used'),
      deletedAt: sql`case when p.retired then ${at} end`,
    }, sql`from ${sql.raw(`"${LEGACY_SCHEMA}".api_keys`)} k
      join json_to_recordset(${JSON.stringify(batch)}::json) as p(id integer, hash text, prefix text, retired boolean) on p.id = k.id`))
  }
}
