import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateKeyBody, KeyIdParams, KeyListResponse, KeyMessageResponse, KeyResponse, ListKeysQuery, NewKeyResponse, RenameKeyBody, toApiKeyDto,
} from '../../schemas/api-keys.js'
import { errorResponses } from '../../schemas/common.js'
import type { ApiKey } from '../../db/schema/index.js'
import { assertPlainName } from '../../services/names.js'

const SHOWN_ONCE = 'Store this key now: it is shown only once.'

/** `/api/keys`: the logged-in user's API keys. Another user's key is always 404. */
const keyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate)
  const dto = (key: ApiKey) => toApiKeyDto(key, app.apiKeys.status(key))
  const common = { tags: ['keys'], security: [{ bearerAuth: [] }] }

  app.get('/', {
    schema: { ...common, summary: 'List API keys', querystring: ListKeysQuery, response: { 200: KeyListResponse, ...errorResponses(400, 401) } },
  }, async (request) => {
    const keys = await app.apiKeys.list(request.account.id, request.query.include_inactive)
    return { success: true as const, api_keys: keys.map(dto), total: keys.length }
  })

  app.post('/', {
    schema: { ...common, summary: 'Create an API key', body: CreateKeyBody, response: { 201: NewKeyResponse, ...errorResponses(400, 401, 413, 415) } },
    // The body is optional: a bare POST creates a key with the default name.
    preValidation: async (request) => {
      request.body ??= {}
    },
  }, async (request, reply) => {
    const { name, expires_at } = request.body
    assertPlainName(name, 'name')
    const { key, value } = await app.apiKeys.create(request.account.id, {
      name: name?.trim() ?? 'Default',
      expiresAt: expires_at ? new Date(expires_at) : null,
    })
    reply.code(201)
    return { success: true as const, message: `API key created. ${SHOWN_ONCE}`, api_key: dto(key), key_value: value }
  })

  app.get('/:id', {
    schema: { ...common, summary: 'One API key', params: KeyIdParams, response: { 200: KeyResponse, ...errorResponses(400, 401, 404) } },
  }, async (request) => ({ success: true as const, api_key: dto(await app.apiKeys.get(request.account.id, request.params.id)) }))

  app.put('/:id', {
    schema: { ...common, summary: 'Rename an API key', params: KeyIdParams, body: RenameKeyBody, response: { 200: KeyResponse, ...errorResponses(400, 401, 404, 413, 415) } },
  }, async (request) => {
    assertPlainName(request.body.name, 'name')
    return { success: true as const, api_key: dto(await app.apiKeys.rename(request.account.id, request.params.id, request.body.name.trim())) }
  })

  app.post('/:id/deactivate', {
    schema: { ...common, summary: 'Deactivate an API key', params: KeyIdParams, response: { 200: KeyMessageResponse, ...errorResponses(400, 401, 404) } },
  }, async (request) => ({
    success: true as const,
    message: 'API key deactivated',
    api_key: dto(await app.apiKeys.deactivate(request.account.id, request.params.id)),
  }))

  app.post('/:id/rotate', {
    schema: {
      ...common,
      summary: 'Replace an API key; the old one keeps working for a grace period',
      description:
        'Issues a successor with the same name and no expiry; the old key works until the end of the grace period. ' +
        'A key is rotated once: rotating it again during its grace period is 409 `KEY_ROTATING` with `successor_id`. ' +
        'The successor counts against the active-key limit (400 `KEY_LIMIT_REACHED`), since the old key is active until its grace period ends.',
      params: KeyIdParams,
      response: { 201: NewKeyResponse, ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const { key, value, oldKeyExpiresAt } = await app.apiKeys.rotate(request.account.id, request.params.id)
    reply.code(201)
    return {
      success: true as const,
      message: `API key rotated; the old key works until ${oldKeyExpiresAt.toISOString()}. ${SHOWN_ONCE}`,
      api_key: dto(key),
      key_value: value,
      old_key_expires_at: oldKeyExpiresAt.toISOString(),
    }
  })

  app.delete('/:id', {
    schema: { ...common, summary: 'Delete an API key; it stops working at once', params: KeyIdParams, response: { 200: KeyMessageResponse, ...errorResponses(400, 401, 404) } },
  }, async (request) => ({
    success: true as const,
    message: 'API key deleted',
    api_key: dto(await app.apiKeys.remove(request.account.id, request.params.id)),
  }))
}

export default keyRoutes
