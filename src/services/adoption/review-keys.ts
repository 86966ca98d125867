import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { selectRows } from '../../db/rows.js'
import { ACCEPTED_KEY, storedKey } from '../api-keys.js'
import { conflictList, legacyTable, plural, type Db, type TableReview } from './findings.js'
import type { Resolutions } from './options.js'
import type { UserPlan } from './review-users.js'

interface LegacyKey {
  id: number
  user_id: number
  key_value: string
  key_hash: string | null
  active: boolean
  owner_exists: boolean
  no_name: boolean
  no_created_at: boolean
  active_unknown: boolean
}

/** Each key as it will be stored. The hash stays in memory and in parameters, never in output. */
export interface KeyPlan {
  id: number
  hash: string
  prefix: string
  retired: boolean
}

const FILL = '--fill-missing'

/**
 * Keys come across with the digest and prefix of their `key_value` (whatever `key_hash` says):
 * the same secret keeps working. A retired key keeps its row and usage history but is stored
 * with the digest of a random secret, so it matches nothing.
 */
export async function reviewKeys(
  db: Db,
  schema: string,
  resolutions: Resolutions,
  users: UserPlan[],
  maxKeysOfTier: (tier: string) => number | undefined,
): Promise<TableReview<KeyPlan[]>> {
  const rows = await selectRows<LegacyKey>(db, sql`
    select k.id, k.user_id, k.key_value, k.key_hash, coalesce(k.is_active, true) as active,
      exists (select 1 from ${legacyTable(schema, 'users')} u where u.id = k.user_id) as owner_exists,
      k.name is null as no_name, k.created_at is null as no_created_at, k.is_active is null as active_unknown
    from ${legacyTable(schema, 'api_keys')} k order by k.id`)
  const conflicts = conflictList('api_keys')
  const optionProblems: string[] = []
  const retire = resolutions.retireKeys
  for (const id of retire) if (!rows.some((r) => r.id === id)) optionProblems.push(`--retire-key ${id}: there is no key ${id}`)

  const plan: KeyPlan[] = []
  const byHash = new Map<string, number[]>()
  let missingHash = 0
  let wrongHash = 0
  let orphans = 0
  for (const row of rows) {
    const stored = storedKey(row.key_value)
    if (row.key_hash === null) missingHash++
    else if (row.key_hash !== stored.hash) wrongHash++
    if (!row.owner_exists) {
      if (resolutions.dropOrphans) {
        orphans++
        continue
      }
      conflicts.add(row.id, `belongs to account ${row.user_id}, which does not exist`, '--drop-orphans (the key is left behind)')
    }
    const retired = retire.has(row.id)
    if (!retired) {
      byHash.set(stored.hash, [...(byHash.get(stored.hash) ?? []), row.id])
      if (!ACCEPTED_KEY.test(row.key_value)) {
        conflicts.add(row.id, 'the key is not of a shape this service accepts (16 to 128 of A-Z a-z 0-9 _ - . ~ + / =), so it could not work', `--retire-key ${row.id}`)
      }
    }
    if (row.no_name && !resolutions.fillMissing) conflicts.add(row.id, 'has no name', `${FILL} (names it "Default", as a key created without a name)`)
    if (row.no_created_at && !resolutions.fillMissing) conflicts.add(row.id, 'has no creation time', `${FILL} (stores the time of the adoption)`)
    plan.push(retired ? { id: row.id, ...storedKey(randomBytes(32).toString('base64url')), prefix: stored.prefix, retired } : { id: row.id, ...stored, retired })
  }
  for (const ids of byHash.values()) {
    if (ids.length > 1) conflicts.add(ids, `keys ${ids.join(', ')} are the same key`, '--retire-key ID for all but one (kept with its usage, revoked)')
  }

  // Keys over the tier's limit keep working; only new ones are refused until enough are gone.
  const tierOf = new Map(users.map((u) => [u.id, u.tier]))
  const active = new Map<number, number>()
  for (const row of rows) if (row.active && row.owner_exists && !retire.has(row.id)) active.set(row.user_id, (active.get(row.user_id) ?? 0) + 1)
  const warnings: string[] = []
  for (const [userId, n] of active) {
    const tier = tierOf.get(userId)
    const limit = tier === undefined ? undefined : maxKeysOfTier(tier)
    if (limit !== undefined && n > limit) {
      warnings.push(`account ${userId} (${tier}) holds ${n} active keys where its tier allows ${limit}: all keep working (grandfathered); new keys are refused until fewer than ${limit} are active`)
    }
  }

  const count = (test: (r: LegacyKey) => boolean) => rows.filter(test).length
  const notes = [
    `every key is stored as its SHA-256 digest and display prefix, computed from key_value; key_value is dropped`,
    missingHash > 0 ? `${plural(missingHash, 'key')} had no key_hash` : '',
    wrongHash > 0 ? `${plural(wrongHash, 'key')} had a key_hash that did not match key_value: the digest of key_value is stored` : '',
    count((r) => r.active_unknown) > 0 ? `without an active flag (${plural(count((r) => r.active_unknown), 'key')}): active, the old column's default` : '',
    resolutions.fillMissing && count((r) => r.no_name) > 0 ? `without a name (${plural(count((r) => r.no_name), 'key')}): "Default" (--fill-missing)` : '',
    resolutions.fillMissing && count((r) => r.no_created_at) > 0 ? `without a creation time (${plural(count((r) => r.no_created_at), 'key')}): the time of the adoption (--fill-missing)` : '',
    retire.size > 0 ? `keys ${[...retire].join(', ')} come across revoked, with their usage history` : '',
    orphans > 0 ? `${plural(orphans, 'key')} of accounts that do not exist are left behind (--drop-orphans)` : '',
  ].filter(Boolean)
  return { conflicts: conflicts.list(), optionProblems, notes, warnings, leftBehind: orphans, plan }
}
