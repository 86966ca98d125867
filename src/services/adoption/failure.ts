import { errorCode } from '../../db/errors.js'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'CONNECT_TIMEOUT', '28P01', '28000', '3D000'])
const LOCK_NOT_AVAILABLE = '55P03'

/**
 * One sentence for a failed adoption: what happened and what state the database is in. Only the
 * server's message is used (never its detail, which can quote row values).
 */
export function explainFailure(error: unknown): string {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code === LOCK_NOT_AVAILABLE) {
    return 'the old tables are in use (is the old service still running?): stop it, then run the adoption again. Nothing was changed.'
  }
  if (code && UNREACHABLE.has(code)) return `cannot reach the database (${message}). Nothing was changed.`
  return `the adoption failed and was rolled back, so the database is as it was: ${message}`
}
