import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import * as common from '@zxcvbn-ts/language-common'

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

let factory: ZxcvbnFactory | undefined

/**
 * Length is enforced by the request schemas; this adds the one content rule: not a common
 * password. zxcvbn scores 0 for anything guessable in under a thousand tries, which covers its
 * list of about 50,000 common passwords and trivial patterns such as `aaaaaaaa`.
 */
export function isTooCommon(password: string): boolean {
  factory ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })
  return factory.check(password).score === 0
}
