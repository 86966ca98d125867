import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256
/** zxcvbn's scale runs 0–4; below 2 a password falls to an online or a fast offline guess. */
const MIN_SCORE = 2

let factory: ZxcvbnFactory | undefined
let mostCommon: Set<string> | undefined

/** zxcvbn's warnings, as the reason a person reads beside the field. */
const REASONS: Record<string, string> = {
  common: 'is too common: it is on a list of the most used passwords',
  similarToCommon: 'is too close to a very common password',
  commonNames: 'is mostly a common name, which is easy to guess',
  namesByThemselves: 'is mostly a name, which is easy to guess',
  dates: 'is mostly a date, which is easy to guess',
  recentYears: 'is mostly a recent year, which is easy to guess',
  sequences: 'is mostly a sequence such as abc or 123, which is easy to guess',
  straightRow: 'is mostly a row of keys, which is easy to guess',
  keyPattern: 'is mostly a keyboard pattern, which is easy to guess',
  simpleRepeat: 'is mostly a repeated character, which is easy to guess',
  extendedRepeat: 'is mostly a repeated pattern, which is easy to guess',
  wordByItself: 'is a single word, which is easy to guess',
}

/**
 * Length is enforced by the request schemas; this is the content rule. Answers why a password
 * is refused (said of the field: "is too common: …"), or null when it is strong enough: not on
 * the list of about 50,000 most used passwords, whatever its case, and a zxcvbn score of 2 or more.
 */
export function passwordWeakness(password: string): string | null {
  mostCommon ??= new Set(common.dictionary['passwords-common'])
  if (mostCommon.has(password.toLowerCase())) return REASONS.common!
  factory ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })
  const result = factory.check(password)
  if (result.score >= MIN_SCORE) return null
  return REASONS[result.feedback.warning ?? ''] ?? 'is too easy to guess: make it longer, with words or symbols that do not go together'
}
