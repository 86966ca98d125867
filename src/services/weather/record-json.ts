/**
 * JSON of the stored observation records, encoded once per record instead of once per answer:
 * serializing a month of records was the largest single cost of a metered request. Records
 * are the cache's own objects, shared by every answer, so they are frozen when they enter it
 * (`frozenRecords`) and their bytes can never go stale. Answers are assembled as bytes, off the
 * JavaScript heap: building each as a string first cost several copies of it per request in
 * young-generation garbage, and an encoding pass on the way out.
 */
const encoded = new WeakMap<object, Buffer>()
const COMMA = Buffer.from(',')
const OPEN = Buffer.from('[')
const CLOSE = Buffer.from(']')

function recordBytes(record: object): Buffer {
  let bytes = encoded.get(record)
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(record))
    // Only a frozen record is remembered: a mutable one could change after it was encoded.
    if (Object.isFrozen(record)) encoded.set(record, bytes)
  }
  return bytes
}

/** Freezes the records, so that their JSON may be remembered. */
export function frozenRecords<T extends object>(records: T[]): T[] {
  for (const record of records) Object.freeze(record)
  return records
}

/**
 * The UTF-8 bytes of `JSON.stringify(body)`, with the array under `field` written from each
 * element's remembered JSON. Any other body is stringified as it is.
 */
export function jsonWithRecords(body: unknown, field: string): Buffer {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Record<string, unknown>)[field])) return Buffer.from(JSON.stringify(body) ?? 'null')
  const before: Record<string, unknown> = {}
  const after: Record<string, unknown> = {}
  let seen = false
  for (const [key, value] of Object.entries(body)) {
    if (key === field) seen = true
    else if (value !== undefined) (seen ? after : before)[key] = value
  }
  const head = JSON.stringify(before)
  const tail = JSON.stringify(after)
  const records = (body as Record<string, object[]>)[field]!
  const parts: Buffer[] = [Buffer.from(`${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(field)}:`), OPEN]
  for (let i = 0; i < records.length; i++) {
    if (i > 0) parts.push(COMMA)
    parts.push(recordBytes(records[i]!))
  }
  parts.push(CLOSE, Buffer.from(tail.length > 2 ? `,${tail.slice(1)}` : '}'))
  return Buffer.concat(parts)
}
