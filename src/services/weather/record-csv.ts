/**
 * Daily records as CSV (RFC 4180): a header line of the JSON field names, one line per day,
 * CRLF line ends, an empty cell for null. Spreadsheets and `csv-parse` read it back unchanged.
 */
const CRLF = '\r\n'
const NEEDS_QUOTES = /[",\r\n]/

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The UTF-8 bytes of the CSV of `records`, with the columns `fields` in that order. */
export function csvOfRecords(records: readonly object[], fields: readonly string[]): Buffer {
  const lines = [fields.map(cell).join(',')]
  for (const record of records) {
    const values = record as Record<string, unknown>
    lines.push(fields.map((field) => cell(values[field])).join(','))
  }
  return Buffer.from(lines.join(CRLF) + CRLF)
}
