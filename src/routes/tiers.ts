import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { TierListResponse, toTierDto } from '../schemas/tiers.js'

/** `GET /api/tiers`: what each tier buys, public, for the price list on the home page. */
const tierList: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/tiers', {
    schema: { tags: ['service'], summary: 'The tiers and what each allows', response: { 200: TierListResponse } },
  }, async () => ({ success: true as const, tiers: (await app.admin.listTiers()).map(toTierDto) }))
}

export default tierList
