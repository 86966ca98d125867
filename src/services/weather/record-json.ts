/**
 * JSON of the stored observation records, written once per record instead of once per answer:
 * serializing a month of records was the largest single cost of a metered request. Records
 * are the cache's own objects, shared by every answer, so they are frozen when they enter it
 * (`frozenRecords`) and their text can never go stale.
 */
const written = new WeakMap<object, string>()

function recordJson(record: object): string {
  let json = written.get(record)
  if (json === undefined) {
    json = JSON.stringify(record)
    // Only a frozen record is remembered: a mutable one could change after it was written.
    if (Object.isFrozen(record)) written.set(record, json)
  }
  return json
}

/** Freezes the records, so that their JSON may be remembered. */
export function frozenRecords<T extends object>(records: T[]): T[] {
  for (const record of records) Object.freeze(record)
  return records
}

/**
 * `JSON.stringify(body)`, the same text, with the array under `field` written from each
 * element's remembered JSON. Any other body (an error, say) is stringified as it is.
 */
export function stringifyWithRecords(body: unknown, field: string): string {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Record<string, unknown>)[field])) return JSON.stringify(body)
  const before: Record<string, unknown> = {}
  const after: Record<string, unknown> = {}
  let seen = false
  for (const [key, value] of Object.entries(body)) {
    if (key === field) seen = true
    else if (value !== undefined) (seen ? after : before)[key] = value
  }
  const records = (body as Record<string, object[]>)[field]!
  let array = '['
  for (let i = 0; i < records.length; i++) array += (i === 0 ? '' : ',') + recordJson(records[i]!)
  array += ']'
  const head = JSON.stringify(before)
  const tail = JSON.stringify(after)
  return `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(field)}:${array}${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`
}
