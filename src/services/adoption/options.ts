import { parseArgs } from 'node:util'
import { TIERS } from '../../db/schema/index.js'
import { normalizeEmail } from '../emails.js'
import { isUsableEmail } from './email-rule.js'

type Tier = (typeof TIERS)[number]

/** What the operator decided about rows that cannot come across as they are. */
export interface Resolutions {
  /** Normalised address → the account that keeps it; the others of that address get a stand-in. */
  keepEmail: Map<string, number>
  /** Account → the address it gets instead of its own. */
  setEmail: Map<number, string>
  /** Old tier name ('' for none) → the tier its accounts get. */
  mapTier: Map<string, Tier>
  /** Account → the tier it gets. */
  setTier: Map<number, Tier>
  /** Keys kept with their usage history but revoked: they stop working. */
  retireKeys: Set<number>
  /** Keys, usage and monthly rows of accounts that do not exist are left behind. */
  dropOrphans: boolean
  /** Usage rows of keys that do not exist come across without a key. */
  detachOrphanUsage: boolean
  /** Usage dates that are not calendar dates are stored as no date, as this service records them. */
  clearInvalidDates: boolean
  /** Missing names and times take the stand-ins the report names. */
  fillMissing: boolean
}

export interface AdoptionOptions {
  dryRun: boolean
  resolutions: Resolutions
}

/** The operator's input is wrong: said in one sentence, never with a stack trace. */
export class UsageError extends Error {}

export const USAGE = `usage: npm run db:adopt -- [--dry-run] [options that resolve conflicts]

  --dry-run                    change nothing; print what the adoption would do and every row in the way
  --keep-email ADDRESS=ID      of the accounts whose emails differ only in case, ID keeps ADDRESS
  --set-email ID=ADDRESS       account ID gets ADDRESS instead of its own email
  --map-tier OLD=TIER          accounts of old tier OLD get TIER (--map-tier =TIER: accounts without a tier)
  --set-tier ID=TIER           account ID gets TIER (${TIERS.join(', ')})
  --retire-key ID              key ID comes across revoked (its usage history kept); it stops working
  --drop-orphans               leave behind keys, usage and monthly rows whose account does not exist
  --detach-orphan-usage        usage rows whose key does not exist come across without a key
  --clear-invalid-dates        usage dates that are not calendar dates come across as no date
  --fill-missing               missing names and times take the stand-ins the dry run names

DATABASE_URL names the database (unset: the embedded database under DATA_DIR).`

function id(text: string, option: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 2_147_483_647) throw new UsageError(`${option}: "${text}" is not a row id`)
  return Number(text)
}

function tier(text: string, option: string): Tier {
  if (!(TIERS as readonly string[]).includes(text)) throw new UsageError(`${option}: "${text}" is not a tier (${TIERS.join(', ')})`)
  return text as Tier
}

function address(text: string, option: string): string {
  if (!isUsableEmail(text)) throw new UsageError(`${option}: "${text}" is not an email address this service accepts`)
  return normalizeEmail(text)
}

/** `LEFT=RIGHT`, split at the last `=` (an old tier name may hold one, an id or a tier never does). */
function pair(value: string, option: string, shape: string): [string, string] {
  const at = value.lastIndexOf('=')
  if (at < 0) throw new UsageError(`${option} takes ${shape}, not "${value}"`)
  return [value.slice(0, at), value.slice(at + 1)]
}

function once<K, V>(map: Map<K, V>, key: K, value: V, option: string, what: string): void {
  if (map.has(key) && map.get(key) !== value) throw new UsageError(`${option} names ${what} twice, with different values`)
  map.set(key, value)
}

export function parseAdoptionArgs(args: string[]): AdoptionOptions {
  let parsed
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'dry-run': { type: 'boolean' },
        'keep-email': { type: 'string', multiple: true },
        'set-email': { type: 'string', multiple: true },
        'map-tier': { type: 'string', multiple: true },
        'set-tier': { type: 'string', multiple: true },
        'retire-key': { type: 'string', multiple: true },
        'drop-orphans': { type: 'boolean' },
        'detach-orphan-usage': { type: 'boolean' },
        'clear-invalid-dates': { type: 'boolean' },
        'fill-missing': { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const v = parsed.values
  const resolutions: Resolutions = {
    keepEmail: new Map(),
    setEmail: new Map(),
    mapTier: new Map(),
    setTier: new Map(),
    retireKeys: new Set(),
    dropOrphans: v['drop-orphans'] ?? false,
    detachOrphanUsage: v['detach-orphan-usage'] ?? false,
    clearInvalidDates: v['clear-invalid-dates'] ?? false,
    fillMissing: v['fill-missing'] ?? false,
  }
  for (const value of v['keep-email'] ?? []) {
    const [email, account] = pair(value, '--keep-email', 'ADDRESS=ID')
    once(resolutions.keepEmail, address(email, '--keep-email'), id(account, '--keep-email'), '--keep-email', `the address ${email}`)
  }
  for (const value of v['set-email'] ?? []) {
    const [account, email] = pair(value, '--set-email', 'ID=ADDRESS')
    once(resolutions.setEmail, id(account, '--set-email'), address(email, '--set-email'), '--set-email', `account ${account}`)
  }
  for (const value of v['map-tier'] ?? []) {
    const [old, to] = pair(value, '--map-tier', 'OLD=TIER')
    once(resolutions.mapTier, old, tier(to, '--map-tier'), '--map-tier', `the old tier "${old}"`)
  }
  for (const value of v['set-tier'] ?? []) {
    const [account, to] = pair(value, '--set-tier', 'ID=TIER')
    once(resolutions.setTier, id(account, '--set-tier'), tier(to, '--set-tier'), '--set-tier', `account ${account}`)
  }
  for (const value of v['retire-key'] ?? []) resolutions.retireKeys.add(id(value, '--retire-key'))
  return { dryRun: v['dry-run'] ?? false, resolutions }
}
