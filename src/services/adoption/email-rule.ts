import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { Email } from '../../schemas/common.js'
import { normalizeEmail } from '../emails.js'

// The very schema and format rules the API validates login and signup bodies with.
const ajv = new Ajv()
addFormats.default(ajv)
const acceptsEmail = ajv.compile(Email)

/** An address this service can log in with, once normalised. */
export function isUsableEmail(address: string): boolean {
  return acceptsEmail(normalizeEmail(address))
}
