import { Type, type Static } from '@sinclair/typebox'
import type { Tier } from '../db/schema/index.js'
import { Success } from './common.js'

export const TierSchema = Type.Object({
  name: Type.String(),
  monthly_quota: Type.Union([Type.Integer(), Type.Null()], { description: 'Counted requests per UTC month; null means unlimited' }),
  rate_limit_per_hour: Type.Integer({ description: 'Metered requests per hour for the whole account, all its API keys together' }),
  max_api_keys: Type.Integer({ description: 'Active API keys a user of this tier may hold' }),
})

export type TierDto = Static<typeof TierSchema>

export function toTierDto(tier: Tier): TierDto {
  return {
    name: tier.name,
    monthly_quota: tier.monthlyQuota,
    rate_limit_per_hour: tier.rateLimitPerHour,
    max_api_keys: tier.maxApiKeys,
  }
}

export const TierListResponse = Success({ tiers: Type.Array(TierSchema) })
export const TierResponse = Success({ tier: TierSchema })
