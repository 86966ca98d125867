import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { ValueError } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { FastifyRequest, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import { apiError } from '../../errors.js'
import { missingChange } from '../../schemas/admin.js'

type Variant = { const?: unknown; type?: string; minimum?: number; maximum?: number }

/** "Expected union value" says little: name what the union accepts instead. */
function describe(error: ValueError): string {
  const variants = (error.schema as { anyOf?: Variant[] }).anyOf
  if (!variants) return error.message
  if (variants.every((v) => v.const !== undefined)) return `must be one of ${variants.map((v) => String(v.const)).join(', ')}`
  const kinds = variants.map((v) => {
    if (v.type === 'integer' && v.minimum !== undefined && v.maximum !== undefined) return `an integer from ${v.minimum} to ${v.maximum}`
    return v.type === 'integer' ? 'an integer' : String(v.type)
  })
  return `must be ${kinds.join(' or ')}`
}

/**
 * TypeBox checks the body as sent; params and query are converted from their strings first.
 * Errors carry the path and message the error handler turns into `details`.
 */
const strictValidator = <T>({ schema, httpPart }: Parameters<FastifySchemaCompiler<T>>[0]) => {
  const typeBoxSchema = schema as unknown as TSchema
  const check = TypeCompiler.Compile(typeBoxSchema)
  return (value: unknown) => {
    const input = httpPart === 'body' ? value : Value.Convert(typeBoxSchema, value)
    if (check.Check(input)) return { value: input }
    const error = [...check.Errors(input)].map((e) => ({ instancePath: e.path, message: describe(e) }) as FastifySchemaValidationError)
    return { error }
  }
}

/**
 * Route options of the admin edit routes. Their body is checked without the type coercion the
 * rest of the API allows: coercion would read `null` as `false` or `0` (deactivating a user, or
 * allowing no keys) and `""` as `null` (an unlimited quota). The body must also name at least
 * one of `fields`; other fields are ignored.
 */
export function editBody(fields: readonly string[]) {
  return {
    validatorCompiler: strictValidator,
    preValidation: async (request: FastifyRequest) => {
      const details = missingChange(request.body, fields)
      if (details.length > 0) throw apiError('VALIDATION_ERROR', { extra: { details } })
    },
  }
}
