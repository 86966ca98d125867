import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { eq, sql } from 'drizzle-orm'
import { apiKeys, tiers, users, type ApiKey, type Tier, type User } from '../db/schema/index.js'
import { apiError } from '../errors.js'
import { ACCEPTED_KEY } from '../services/api-keys.js'
import { createInvalidatedCache } from '../services/cache/invalidated-cache.js'
import { createKeyUsageTracker, type KeyUsageTracker } from '../services/key-usage-tracker.js'
import { sha256Hex } from '../services/secrets.js'
import { bearerToken, looksLikeJwt } from './authenticate.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest guard for data routes: a usable API key of an active user. */
    authenticateKey(request: FastifyRequest): Promise<void>
    /** Batches `last_used` writes; flushed on an interval and at shutdown. */
    keyUsage: KeyUsageTracker
  }
  interface FastifyRequest {
    /** The key that authenticated a data request; set by `authenticateKey`. */
    apiKey: ApiKey
    /** The key owner's tier as it stands now; set by `authenticateKey`. */
    tier: Tier
  }
}

const LAST_USED_FLUSH_MS = 30_000
/** Keys in use are few; each entry is one key with its owner and tier. */
const KEY_CACHE = { max: 10_000, ttlMs: 5 * 60_000 }

interface KeyLookup {
  key: ApiKey
  owner: User
  tier: Tier
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key']
  if (typeof header === 'string' && header.length > 0) return header.trim()
  const bearer = bearerToken(request)
  return bearer?.startsWith('fw_') ? bearer : undefined
}

async function apiKeyAuthPlugin(app: FastifyInstance) {
  const tracker = createKeyUsageTracker({ db: app.db, clock: app.clock })
  app.decorate('keyUsage', tracker)
  const flush = () => tracker.flush().catch((error: Error) => app.log.warn({ err: { message: error.message } }, 'last_used flush failed'))
  const timer = setInterval(() => void flush(), LAST_USED_FLUSH_MS)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await flush()
  })

  // Data requests look their key up in memory; the database announces every change to a key, its
  // owner or their tier (see the change feed), and this instance forgets the entry at once.
  const lookup = app.db
    .select({ key: apiKeys, owner: users, tier: tiers })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .innerJoin(tiers, eq(tiers.name, users.tier))
    .where(eq(apiKeys.keyHash, sql.placeholder('hash')))
    .prepare('api_key_lookup')
  const cache = createInvalidatedCache<string, KeyLookup>(app.changes, KEY_CACHE)
  app.changes.on('key', ([id]) => cache.deleteWhere((entry) => String(entry.key.id) === id))
  app.changes.on('user', ([id]) => cache.deleteWhere((entry) => String(entry.owner.id) === id))
  app.changes.on('tier', ([name]) => cache.deleteWhere((entry) => entry.tier.name === name))

  app.decorateRequest('apiKey', null as unknown as ApiKey)
  app.decorateRequest('tier', null as unknown as Tier)

  app.decorate('authenticateKey', async (request: FastifyRequest) => {
    if (request.query && typeof request.query === 'object' && 'api_key' in request.query) throw apiError('API_KEY_IN_QUERY')
    const key = presentedKey(request)
    if (!key) throw apiError(looksLikeJwt(bearerToken(request)) ? 'LOGIN_TOKEN_NOT_ACCEPTED' : 'API_KEY_MISSING')
    if (!ACCEPTED_KEY.test(key)) throw apiError('API_KEY_MALFORMED')

    const hash = sha256Hex(key)
    const found = await cache.get(hash, async () => (await lookup.execute({ hash }))[0])
    if (!found) throw apiError('API_KEY_INVALID')
    const now = app.clock.now()
    if (found.key.deletedAt) throw apiError('API_KEY_REVOKED')
    if (!found.key.isActive) throw apiError('API_KEY_INACTIVE')
    if (found.key.expiresAt && found.key.expiresAt <= now) throw apiError('API_KEY_EXPIRED')
    if (!found.owner.isActive) throw apiError('ACCOUNT_DISABLED')

    request.apiKey = found.key
    request.account = found.owner
    request.tier = found.tier
    tracker.touch(found.key.id)
  })
}

export default fp(apiKeyAuthPlugin, { name: 'api-key-auth', dependencies: ['database', 'authenticate', 'change-feed'] })
