import { apiError } from '../../errors.js'
import { isCalendarDate } from '../weather/dates.js'

/**
 * Where a keyset page resumes: the last row shown, its timestamp at full (microsecond)
 * precision, as PostgreSQL wrote it, and its id, which orders rows of the same instant.
 */
export interface RowCursor {
  timestamp: string
  id: number
}

const CURSOR = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z_(\d{1,15})$/

/** The cursor as clients see it: one opaque-looking string they send back unchanged. */
export function encodeCursor(cursor: RowCursor): string {
  return `${cursor.timestamp}_${cursor.id}`
}

/** Reads a cursor a client sent back; anything that is not one is a 400 naming the field. */
export function parseCursor(text: string, field: string): RowCursor {
  const match = CURSOR.exec(text)
  // Checked here, not by the database: an impossible instant would fail its cast with a 500.
  const valid = match && isCalendarDate(match[1]!) && Number(match[2]) < 24 && Number(match[3]) < 60 && Number(match[4]) < 60
  if (!valid) {
    throw apiError('VALIDATION_ERROR', {
      message: `${field} is not a cursor this API returned`,
      extra: { details: [{ field, message: 'must be the next_before value of an earlier answer' }] },
    })
  }
  return { timestamp: text.slice(0, text.lastIndexOf('_')), id: Number(match[5]) }
}
