import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdminUserResponse, adminDocs, ListUsersQuery, UpdateUserBody, USER_CHANGE_FIELDS, UserIdParams, UserListResponse,
} from '../../schemas/admin.js'
import { errorResponses } from '../../schemas/common.js'
import { toUserDto } from '../../schemas/user.js'
import { editBody } from './edit-body.js'

/** `/api/admin/users`: find accounts; change their tier, role or access. */
const users: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/users', {
    schema: {
      ...adminDocs,
      summary: 'List users, optionally searching email and full name',
      querystring: ListUsersQuery,
      response: { 200: UserListResponse, ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    const { q, limit, offset } = request.query
    const found = await app.admin.listUsers({ q, limit, offset })
    return { success: true as const, users: found.users.map(toUserDto), total: found.total, limit, offset }
  })

  app.patch('/users/:id', {
    schema: {
      ...adminDocs,
      summary: "Change a user's tier, role or active state",
      description: 'Deactivating a user ends their sessions at once. An admin cannot demote or deactivate themselves.',
      params: UserIdParams,
      body: UpdateUserBody,
      response: { 200: AdminUserResponse, ...errorResponses(400, 401, 403, 404, 413, 415) },
    },
    ...editBody(USER_CHANGE_FIELDS),
  }, async (request) => {
    const { tier, is_active, role } = request.body
    const user = await app.admin.updateUser(request.account.id, request.params.id, { tier, isActive: is_active, role })
    return { success: true as const, user: toUserDto(user) }
  })
}

export default users
