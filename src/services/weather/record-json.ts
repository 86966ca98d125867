import { createHash } from 'node:crypto'

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

interface Split {
  /** `{"a":1,…,"field":` */
  head: string
  records: object[]
  /** `,"z":2}` or `}` */
  tail: string
}

/** The body's JSON around the array under `field`; undefined when `field` holds no array. */
function split(body: unknown, field: string): Split | undefined {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Record<string, unknown>)[field])) return undefined
  const before: Record<string, unknown> = {}
  const after: Record<string, unknown> = {}
  let seen = false
  for (const [key, value] of Object.entries(body)) {
    if (key === field) seen = true
    else if (value !== undefined) (seen ? after : before)[key] = value
  }
  const head = JSON.stringify(before)
  const tail = JSON.stringify(after)
  return {
    head: `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(field)}:`,
    records: (body as Record<string, object[]>)[field]!,
    tail: tail.length > 2 ? `,${tail.slice(1)}` : '}',
  }
}

/**
 * The UTF-8 bytes of `JSON.stringify(body)`, with the array under `field` written from each
 * element's remembered JSON. Any other body is stringified as it is.
 */
export function jsonWithRecords(body: unknown, field: string): Buffer {
  const parts = split(body, field)
  if (!parts) return Buffer.from(JSON.stringify(body) ?? 'null')
  const chunks: Buffer[] = [Buffer.from(parts.head), OPEN]
  for (let i = 0; i < parts.records.length; i++) {
    if (i > 0) chunks.push(COMMA)
    chunks.push(recordBytes(parts.records[i]!))
  }
  chunks.push(CLOSE, Buffer.from(parts.tail))
  return Buffer.concat(chunks)
}

const digests = new WeakMap<object, Buffer>()

function recordDigest(record: object): Buffer {
  let digest = digests.get(record)
  if (digest === undefined) {
    digest = createHash('sha256').update(recordBytes(record)).digest()
    if (Object.isFrozen(record)) digests.set(record, digest)
  }
  return digest
}

/**
 * A strong ETag of the JSON `jsonWithRecords` writes for `body`: SHA-256 over the JSON around the
 * records and each record's own remembered digest, so it changes with any byte of the answer but
 * hashes a few hundred bytes a request, not the whole answer.
 */
export function jsonEtag(body: unknown, field: string): string {
  const parts = split(body, field)
  if (!parts) return `"${createHash('sha256').update(JSON.stringify(body) ?? 'null').digest('base64url')}"`
  const hash = createHash('sha256').update(parts.head)
  for (const record of parts.records) hash.update(recordDigest(record))
  return `"${hash.update(parts.tail).digest('base64url')}"`
}
