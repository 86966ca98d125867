import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DrizzleQueryError } from 'drizzle-orm'
import { errorCode } from '../db/errors.js'
import { issueField, issueMessage, validationSentence, type ValidationIssue } from './validation-messages.js'
import { apiError, errorCatalogue, isApiError, type ApiError, type ErrorCode } from '../errors.js'

const RETRY_AFTER_SECONDS = '5'

/** Fastify's own errors, by code, mapped onto ours. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_ERROR',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_HANDLER_TIMEOUT: 'SERVICE_UNAVAILABLE',
  FST_UNDER_PRESSURE: 'SERVICE_UNAVAILABLE',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_BAD_URL: 'NOT_FOUND',
  // A path segment longer than any id or name can be names nothing.
  FST_ERR_MAX_PARAM_LENGTH: 'NOT_FOUND',
}

/**
 * Driver errors that mean "the database is unreachable or overloaded", not "this request is
 * wrong": connection failures, timeouts, too many clients, admin shutdown, statement timeout.
 */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'])
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code))
}

function validationDetails(error: FastifyError): { field: string; message: string }[] {
  const context = error.validationContext ?? 'body'
  return ((error.validation ?? []) as ValidationIssue[]).map((issue) => ({ field: issueField(issue, context), message: issueMessage(issue) }))
}

/** Turns any thrown value into one of our errors; unknown ones become a bare 500. */
function toApiError(error: FastifyError): { apiErr: ApiError; unexpected: boolean } {
  if (isApiError(error)) return { apiErr: error, unexpected: false }
  if (error.validation) {
    const details = validationDetails(error)
    return { apiErr: apiError('VALIDATION_ERROR', { message: validationSentence(details), extra: { details } }), unexpected: false }
  }
  const mapped = FRAMEWORK_CODES[error.code]
  if (mapped) return { apiErr: apiError(mapped), unexpected: false }
  if (isDatabaseUnavailable(error)) {
    return { apiErr: apiError('SERVICE_UNAVAILABLE', { headers: { 'retry-after': RETRY_AFTER_SECONDS } }), unexpected: true }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = (Object.keys(errorCatalogue) as ErrorCode[]).find((c) => errorCatalogue[c][0] === status) ?? 'VALIDATION_ERROR'
    return { apiErr: apiError(code, { statusCode: status }), unexpected: false }
  }
  return { apiErr: apiError('INTERNAL_ERROR'), unexpected: true }
}

/** What may be logged of an unexpected error: no query parameters (they can hold hashes). */
function loggable(error: unknown): Record<string, unknown> {
  // Its message and stack embed the bound parameters: never log those.
  if (error instanceof DrizzleQueryError) {
    return { type: 'DrizzleQueryError', query: error.query, cause: loggable(error.cause) }
  }
  const e = error as { name?: string; message?: string; code?: unknown; stack?: string }
  return { type: e?.name, message: e?.message, code: e?.code, stack: e?.stack }
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  reply.request.errorMessage = error.message
  if (error.headers) reply.headers(error.headers)
  if (error.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', RETRY_AFTER_SECONDS)
  return reply.code(error.statusCode).send({ success: false, error: error.message, code: error.code, ...error.extra })
}

/**
 * The router's own errors (a malformed escape or an overlong segment in the path) are raised
 * before any route, so the error handler never sees them; this server option answers them in
 * the same envelope instead of Fastify's.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { apiErr, unexpected } = toApiError(error)
  if (unexpected) request.log.error({ err: loggable(error) }, 'request failed')
  sendError(reply, apiErr)
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The message of the error this request was answered with, for the usage record. */
    errorMessage: string | null
  }
}

const notFinite = (value: unknown) => typeof value === 'number' && !Number.isFinite(value)

/** The fields of a validated request part that hold a number that is not finite. */
function nonFinite(values: unknown, into: string[]): void {
  if (typeof values !== 'object' || values === null) return
  // Runs on every request: a plain loop, no intermediate arrays.
  for (const field in values) {
    const value = (values as Record<string, unknown>)[field]
    if (notFinite(value) || (Array.isArray(value) && value.some(notFinite))) into.push(field)
  }
}

async function errorsPlugin(app: FastifyInstance) {
  app.decorateRequest('errorMessage', null)
  // JSON only: any other content type is a 415, not a string body that fails validation.
  app.removeContentTypeParser(['text/plain'])

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { apiErr, unexpected } = toApiError(error)
    if (unexpected) request.log.error({ err: loggable(error) }, 'request failed')
    else if (apiErr.statusCode >= 500) request.log.warn({ code: apiErr.code }, 'request refused')
    return sendError(reply, apiErr)
  })

  // Ajv's type coercion turns the text "Infinity" into a number, and its minimum and maximum
  // only compare finite numbers: such a value would pass any bound and reach the database.
  app.addHook('preHandler', async (request) => {
    const fields: string[] = []
    nonFinite(request.params, fields)
    nonFinite(request.query, fields)
    nonFinite(request.body, fields)
    if (fields.length > 0) {
      const details = fields.map((field) => ({ field, message: 'must be a finite number' }))
      throw apiError('VALIDATION_ERROR', { message: validationSentence(details), extra: { details } })
    }
  })

  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, apiError('NOT_FOUND', { message: `Route ${request.method} ${request.url.split('?')[0]} not found` }))
  })
}

export default fp(errorsPlugin, { name: 'errors' })
