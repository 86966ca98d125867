import { counted } from '../text/plural.js'

/** One failure as Ajv reports it (keyword and params), or as the admin validator does (message only). */
export interface ValidationIssue {
  instancePath: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
}

const FORMATS: Record<string, string> = {
  email: 'must be an email address, such as name@example.com',
  'date-time': 'must be a date and time such as 2026-01-31T09:00:00Z',
  date: 'must be a date written YYYY-MM-DD',
  uri: 'must be a URL',
}

const TYPES: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  boolean: 'must be true or false',
  string: 'must be text',
  object: 'must be a JSON object',
  array: 'must be a list',
  null: 'must be null',
}

/** What is wrong with the field, for a person: "must be at least 8 characters", not Ajv's wording. */
export function issueMessage(issue: ValidationIssue): string {
  const params = issue.params ?? {}
  const limit = Number(params.limit)
  switch (issue.keyword) {
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${counted(limit, 'character')}`
    case 'maxLength':
      return `must be at most ${counted(limit, 'character')}`
    case 'minimum':
      return `must be at least ${limit}`
    case 'maximum':
      return `must be at most ${limit}`
    case 'minItems':
      return `must hold at least ${counted(limit, 'item')}`
    case 'maxItems':
      return `must hold at most ${counted(limit, 'item')}`
    case 'format':
      return FORMATS[String(params.format)] ?? `must be a valid ${String(params.format)}`
    case 'type':
      return TYPES[String(params.type).split(',')[0]!] ?? `must be ${String(params.type)}`
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return 'is not a field this route accepts'
    case 'pattern':
      return 'holds characters that are not allowed here, or only spaces'
    default:
      return issue.message ?? 'is not valid'
  }
}

/** The field an issue is about, written as a path: `tier`, `limits.quota`, or the request part. */
export function issueField(issue: ValidationIssue, context: string): string {
  const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.')
  const leaf = issue.params?.missingProperty ?? issue.params?.additionalProperty
  return [path, leaf].filter(Boolean).join('.') || context
}

/** The whole error as one sentence: "password must be at least 8 characters; email is required". */
export function validationSentence(details: { field: string; message: string }[]): string {
  if (details.length === 0) return 'The request is not valid'
  const sentence = details.map((d) => `${d.field.replace(/_/g, ' ')} ${d.message}`).join('; ')
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
}
