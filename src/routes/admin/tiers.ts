import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { adminDocs, TIER_CHANGE_FIELDS, TierNameParams, UpdateTierBody } from '../../schemas/admin.js'
import { TierListResponse, TierResponse, toTierDto } from '../../schemas/tiers.js'
import { errorResponses } from '../../schemas/common.js'
import { editBody } from './edit-body.js'

/** `/api/admin/tiers`: what each tier buys. */
const tiers: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/tiers', {
    schema: { ...adminDocs, summary: 'The tiers: free, pro, enterprise', response: { 200: TierListResponse, ...errorResponses(401, 403) } },
  }, async () => ({ success: true as const, tiers: (await app.admin.listTiers()).map(toTierDto) }))

  app.put('/tiers/:name', {
    schema: {
      ...adminDocs,
      summary: "Change a tier's quota, rate limit or key limit",
      description: 'Users of the tier get the new limits at their next request.',
      params: TierNameParams,
      body: UpdateTierBody,
      response: { 200: TierResponse, ...errorResponses(400, 401, 403, 404, 413, 415) },
    },
    ...editBody(TIER_CHANGE_FIELDS),
  }, async (request) => {
    const { monthly_quota, rate_limit_per_hour, max_api_keys } = request.body
    const tier = await app.admin.updateTier(request.params.name, {
      monthlyQuota: monthly_quota,
      rateLimitPerHour: rate_limit_per_hour,
      maxApiKeys: max_api_keys,
    })
    return { success: true as const, tier: toTierDto(tier) }
  })
}

export default tiers
