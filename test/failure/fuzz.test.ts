import { and, eq, isNotNull } from 'drizzle-orm'
import fc from 'fast-check'
import t from 'tap'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { refreshTokens, tiers, users, type Tier } from '../../src/db/schema/index.js'
import { states } from '../../src/domain/states.js'
import { errorCatalogue, type ErrorCode } from '../../src/errors.js'
import { sendBytes, startBomServer, type Route } from '../fixtures/bom/server.js'
import { build, createUser, json, login, type TestContext } from '../helper.js'
import { changesHeard } from '../helpers/changes.js'
import { TestClock } from '../helpers/clock.js'
import { createKey, settle, usageRows } from '../metering/helpers.js'
import { vicSite } from '../weather/bom-site.js'

/**
 * Every route the app serves gets garbage in its path, query string, body and credentials; the
 * answer must be a 2xx or a 4xx in the error envelope, never a 5xx. Routes are read from the app
 * (the router's own table, with the OpenAPI document for their schemas), so a new route is fuzzed
 * without anyone remembering to add it here.
 */

// 5 November 2025 in Melbourne: the BOM fixtures hold October and November 2025.
const NOW = new Date('2025-11-04T23:00:00Z')
// FUZZ_RUNS for a longer campaign; FUZZ_SEED replays a failure from the seed fast-check reports.
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 60)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const FUZZED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
type Method = (typeof FUZZED_METHODS)[number]

// ---------------------------------------------------------------------------------------------
// Route discovery

interface JsonSchema {
  type?: string
  enum?: unknown[]
  anyOf?: JsonSchema[]
  nullable?: boolean
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  format?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
}

interface OpenApiOperation {
  security?: Record<string, unknown>[]
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[]
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
}

interface Field {
  name: string
  schema: JsonSchema
  required: boolean
}

interface Target {
  method: Method
  /** As the router knows it: `/api/keys/:id`, `/docs/static/*`. */
  route: string
  /** In the OpenAPI document, so its schemas are known and its answers are ours. */
  documented: boolean
  path: Field[]
  query: Field[]
  body: JsonSchema | undefined
  /** Has parameters or a body a client chooses, so a validation error must be reachable. */
  takesInput: boolean
  /** A data route, authenticated by API key. */
  keyAuthenticated: boolean
}

/**
 * The router's table, from `printRoutes()`: each line is one radix-tree node, indented four
 * characters per level, so a route's path is its ancestors' prefixes joined.
 */
function routerTable(printed: string): { method: string; path: string }[] {
  const stack: string[] = []
  const routes: { method: string; path: string }[] = []
  for (const line of printed.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    const prefix = match[2] === '(empty root node)' ? '' : match[2]!
    stack.length = depth
    stack.push(prefix)
    if (match[3]) for (const method of match[3].split(', ')) routes.push({ method, path: stack.join('') })
  }
  return routes
}

const openApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}')

function discoverTargets(ctx: TestContext): { targets: Target[]; table: { method: string; path: string }[]; operations: string[] } {
  const document = ctx.app.swagger() as { paths: Record<string, Record<string, OpenApiOperation>> }
  const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
  const table = routerTable(ctx.app.printRoutes())
  const targets: Target[] = []
  for (const { method, path } of table) {
    if (!(FUZZED_METHODS as readonly string[]).includes(method)) continue
    const operation = document.paths[openApiPath(path)]?.[method.toLowerCase()]
    const parameters = operation?.parameters ?? []
    const fields = (where: string) => parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, schema: p.schema, required: p.required === true }))
    const body = operation?.requestBody?.content['application/json']?.schema
    targets.push({
      method: method as Method,
      route: path,
      documented: operation !== undefined,
      path: fields('path'),
      query: fields('query'),
      body,
      takesInput: operation !== undefined && (parameters.length > 0 || body !== undefined),
      keyAuthenticated: operation?.security?.some((scheme) => 'apiKey' in scheme) ?? false,
    })
  }
  return { targets, table, operations }
}

// ---------------------------------------------------------------------------------------------
// Garbage

const SQL_PAYLOADS = [
  "' OR 1=1 --", "'; DROP TABLE users; --", '" OR ""="', "admin'--", "1; SELECT pg_sleep(10)--",
  "' UNION SELECT password_hash, email FROM users --", "%' OR '1'='1", "\\'; DROP TABLE api_keys; --",
  "1' AND (SELECT count(*) FROM pg_catalog.pg_tables) > 0 --", '$1', "E'\\\\x00'", "'); TRUNCATE usage; --",
  '1 OR 1=1', "VIC' OR state IS NOT NULL --",
]
const NUMBER_TEXTS = [
  '99999999999999999999', '-1', '0', '-0', '1e308', '1e309', '-1e308', 'NaN', 'Infinity', '-Infinity', '0x10',
  '1.5', ' 1', '1 ', '+1', '\u0661', '2147483648', '9007199254740993', '00001', '1_000', '', '1e2', '0b1',
]
const ODD_TEXTS = [
  '\u0000', 'a\u0000b', '\u0007\b\t\n\r', '\u202e', '\ufeff', '\ud83d\ude00', '\u00e9\u0301', '../../etc/passwd', '<script>alert(1)</script>',
  '${7*7}', '{{7*7}}', '%00', '%', '%zz', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor', ' ', '\u00a0',
  'Melbourne\u0000', 'VIC\u0000', '\u0085', '\ufb03', '\u0130', '\uffff', '\ud800', 'a'.repeat(257), '\\', '"', "'",
]
/** Calendar edges: before BOM's records, around the fixture's "today", leap days, the 4-digit limits. */
const DATE_EDGES = [
  '0000-01-01', '0001-01-01', '0999-12-31', '1000-01-01', '1899-12-31', '1970-01-01', '2024-02-29', '2025-02-29',
  '2025-10-01', '2025-10-31', '2025-11-04', '2025-11-05', '2025-11-06', '9999-12-31', '2025-1-1', '2025-11-05T00:00:00Z', '20251101',
]
const MONTH_EDGES = ['0000-00', '0000-01', '0001-01', '0999-12', '1000-01', '1970-01', '2025-00', '2025-13', '2025-11', '2025-12', '9999-12', '2025-1', '202511', '-001-01']
const NUMBERS = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0, -0, 2_147_483_648, 1.5, 5e-324, 99999999999999999999, 1_000_001]

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...SQL_PAYLOADS),
  fc.constantFrom(...NUMBER_TEXTS),
  fc.constantFrom(...ODD_TEXTS),
  fc.constantFrom(...NUMBERS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  // Short, so that no run of them looks like a 43-character token to the log check.
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
)

/** 10k to 100k characters; built from a length, so a counterexample shrinks without printing them all. */
const overlong = fc
  .record({ unit: fc.constantFrom('a', '9', "'", '\u0000', '\u00e9', '\ud83d\ude00', '%', ' ', '-'), length: fc.integer({ min: 10_000, max: 100_000 }) })
  .map(({ unit, length }) => unit.repeat(length))

const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: leaf },
  { weight: 1, arbitrary: overlong },
  { weight: 2, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), leaf, { maxKeys: 4 }) },
)

const isoDate = (d: Date) => d.toISOString().slice(0, 10)
const recentDate = fc.date({ min: new Date('2024-06-01T00:00:00Z'), max: NOW, noInvalidDate: true })
const pad = (n: number, width: number) => String(n).padStart(width, '0')
/** Any year a four-digit date can hold, up to the fixture's today, with a day that may not exist. */
const anyYearDate = fc
  .tuple(fc.integer({ min: 0, max: 2025 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([year, month, day]) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`)
const someDate = fc.oneof(recentDate.map(isoDate), fc.constantFrom(...DATE_EDGES), anyYearDate)

/** The dates of one request, as a range: ranges that pass their own checks reach what comes after. */
interface DateRange {
  from: string
  to: string
}

const dateRange: fc.Arbitrary<DateRange> = fc
  .tuple(someDate, fc.integer({ min: 0, max: 40 }))
  .map(([from, days]) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(from)
    if (!match) return { from, to: from }
    // setUTCFullYear, since Date.UTC reads years 0 to 99 as 1900 to 1999.
    const date = new Date(0)
    date.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days)
    const to = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`
    return { from, to: to.length === 10 ? to : from }
  })

/** Values a client might mean: by the field's name first (it carries the domain), then its schema. */
function plausible(name: string, schema: JsonSchema, emails: string[], dates?: DateRange): fc.Arbitrary<unknown> {
  if (name === 'state') return fc.constantFrom(...states.flatMap((s) => [s.code, s.name]), 'vic', ' Victoria ', 'new  south wales', 'XX')
  if (name === 'location') {
    return fc.oneof(
      // Every state the fixture serves has an airport station, so a valid state often gets to its observations.
      { weight: 3, arbitrary: fc.constantFrom('Airport', 'airport', ' AIRPORT ') },
      { weight: 2, arbitrary: fc.constantFrom('Melbourne', 'Laverton', 'Sydney', 'Ballarat', 'melb', 'Olympic Park', 'Atlantis') },
      { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    )
  }
  if (name.includes('date') && schema.format !== 'date-time') {
    const inRange = dates && (/from|start/.test(name) ? dates.from : /to|end/.test(name) ? dates.to : undefined)
    return inRange === undefined ? someDate : fc.oneof({ weight: 3, arbitrary: fc.constant(inRange) }, { weight: 1, arbitrary: someDate })
  }
  if (name === 'month') return fc.oneof(recentDate.map((d) => isoDate(d).slice(0, 7)), fc.constantFrom(...MONTH_EDGES))
  if (name.includes('password')) return fc.string({ minLength: 8, maxLength: 40 })
  if (name === 'name' && schema.type === 'string') return fc.oneof(fc.constantFrom('free', 'pro', 'enterprise', 'platinum'), fc.string({ minLength: 1, maxLength: 20 }))
  if (schema.format === 'email') return fc.oneof(fc.constantFrom(...emails), fc.emailAddress())
  if (schema.format === 'date-time') return fc.oneof(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.constant(null))
  if (schema.enum) return fc.constantFrom(...schema.enum)
  if (schema.anyOf && schema.anyOf.length > 0) return fc.oneof(...schema.anyOf.map((s) => plausible(name, s, emails, dates)))
  const base = plausibleByType(schema)
  return schema.nullable ? fc.oneof(base, fc.constant(null)) : base
}

function plausibleByType(schema: JsonSchema): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'boolean':
      return fc.boolean()
    case 'integer': {
      const min = schema.minimum ?? -1_000_000
      const max = schema.maximum ?? 1_000_000
      // Ids of rows that exist are small; the whole range reaches the bounds.
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 10) }), fc.integer({ min, max }))
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'string':
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) })
    default:
      return leaf
  }
}

const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u007f']

/** A plausible value with a control character spliced in: near-valid input gets furthest. */
const spliced = (value: fc.Arbitrary<unknown>) =>
  fc.tuple(value, fc.constantFrom(...CONTROL_CHARACTERS), fc.nat()).map(([v, c, at]) => {
    const text = asText(v)
    const i = at % (text.length + 1)
    return text.slice(0, i) + c + text.slice(i)
  })

const isNumeric = (schema: JsonSchema) => [schema.type, ...(schema.anyOf ?? []).map((s) => s.type)].some((t) => t === 'integer' || t === 'number')

/** The values at the edge of a field's type, where coercion and bounds checks go wrong. */
function edges(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (!isNumeric(schema)) return fc.constantFrom<unknown>(...SQL_PAYLOADS, ...ODD_TEXTS)
  return fc.oneof(
    fc.constantFrom<unknown>(...NUMBER_TEXTS, ...NUMBERS),
    // Far past any bound and past 64 bits, as digits and in exponent form.
    fc.bigInt({ min: 2n ** 31n, max: 10n ** 30n }).map(String),
    fc.bigInt({ min: -(10n ** 30n), max: -1n }).map(String),
    fc.integer({ min: 10, max: 400 }).map((exponent) => `1e${exponent}`),
  )
}

/**
 * How much of a request is garbage. A clean one has only plausible values, so that routes with
 * several fields still get requests past validation to the handler and beyond; a mixed one has
 * garbage in some of its fields.
 */
type Noise = 'clean' | 'mixed'
const noise = fc.constantFrom<Noise>('clean', 'mixed', 'mixed')

/**
 * A field's value: mostly what it might mean; in a mixed request also garbage, an edge of its
 * type, or a plausible value with a control character in it.
 */
const fieldValue = (field: Field, emails: string[], level: Noise, dates?: DateRange) => {
  const meant = plausible(field.name, field.schema, emails, dates)
  if (level === 'clean') return meant
  return fc.oneof(
    { weight: 6, arbitrary: meant },
    { weight: 2, arbitrary: garbage },
    // Limits, pages and ids are where huge and negative numbers do harm.
    { weight: isNumeric(field.schema) ? 3 : 1, arbitrary: edges(field.schema) },
    { weight: 1, arbitrary: spliced(meant) },
  )
}

/** Names a client should not send, some of which mean something elsewhere in the app. */
const UNKNOWN_KEYS = [
  'id', 'user_id', 'role', 'is_admin', 'tier', 'api_key', 'key_hash', 'password_hash', 'email_verified', 'limit', 'offset', 'state',
  '__proto__', 'constructor', 'prototype', '$where', '', ' ', 'a[b]', 'limit[]', 'x'.repeat(300),
]

// ---------------------------------------------------------------------------------------------
// Requests

type Auth = { kind: 'valid' } | { kind: 'none' } | { kind: 'garbage'; authorization: string | undefined; apiKey: string | undefined }

interface FuzzRequest {
  method: Method
  url: string
  auth: Auth
  contentType: string | undefined
  payload: string | undefined
}

const lonelySurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const encode = (text: string) => encodeURIComponent(text.replace(lonelySurrogate, '\ufffd'))
const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)))

/** Path segments a router may trip on, sent as they are. */
const RAW_SEGMENTS = ['%zz', '%', '%00', '..', '.', '%2F..%2F', '%C0%AF', '%E0%A4%A', '~', '%20', ';', 'a;b', '', '%2e%2e', '0', '-1', '1.0', '1e3', '0x1', '%F0%9F%98%80']

function pathValue(field: Field, emails: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: noise.chain((level) => fieldValue(field, emails, level)).map((v) => encode(asText(v))) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    // Over the router's 200-character limit for a parameter.
    { weight: 1, arbitrary: fc.integer({ min: 201, max: 5_000 }).map((n) => '9'.repeat(n)) },
  )
}

/** A wildcard's rest of path: several segments, with traversal attempts. */
const wildcardRest = fc
  .array(fc.oneof(fc.constantFrom(...RAW_SEGMENTS, 'index.html', 'swagger-initializer.js', 'package.json', '.env', 'etc', 'passwd'), leaf.map((v) => encode(asText(v)))), { minLength: 1, maxLength: 5 })
  .map((segments) => segments.join('/'))

/** One query parameter as `key=value` pairs: absent, once, duplicated, or in bracket notation. */
function queryPairs(field: Field, value: fc.Arbitrary<unknown>, level: Noise): fc.Arbitrary<[string, string][]> {
  const { name } = field
  const once = value.map((v): [string, string][] => (Array.isArray(v) ? v.map((e) => [name, asText(e)]) : [[name, asText(v)]]))
  if (level === 'clean') return field.required ? once : fc.oneof(fc.constant<[string, string][]>([]), once)
  return fc.oneof(
    { weight: field.required ? 1 : 4, arbitrary: fc.constant<[string, string][]>([]) },
    // An array is the parameter repeated, one value each.
    { weight: 10, arbitrary: once },
    { weight: 2, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v): [string, string] => [name, asText(v)])) },
    { weight: 1, arbitrary: value.map((v): [string, string][] => [[`${name}[]`, asText(v)], [`${name}[0]`, asText(v)]]) },
  )
}

function queryString(target: Target, emails: string[]): fc.Arbitrary<string> {
  const pairs = (level: Noise) =>
    dateRange.chain((dates) => fc.tuple(...target.query.map((field) => queryPairs(field, fieldValue(field, emails, level, dates), level))))
  const unknown = fc.array(fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), garbage), { maxLength: 1 }).map((extra) => extra.map(([k, v]): [string, string] => [k, asText(v)]))
  const query = noise.chain((level) =>
    level === 'clean'
      ? fc.tuple(pairs(level), fc.constant<[string, string][]>([]), fc.constant('encoded'))
      : fc.tuple(pairs(level), unknown, fc.constantFrom('encoded', 'encoded', 'raw-percent', 'semicolons')),
  )
  return query
    .map(([fields, extra, style]) => {
      const pairs = [...fields.flat(), ...extra]
      if (pairs.length === 0) return ''
      const joined = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join(style === 'semicolons' ? ';' : '&')
      // Percent signs left unencoded: malformed escapes reach the query parser as they are.
      return `?${style === 'raw-percent' ? joined.replace(/%25/g, '%') : joined}`
    })
}

/** A JSON object written out by hand, so it may repeat a key or carry `__proto__` as data. */
const objectText = (entries: [string, unknown][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`

function schemaBody(schema: JsonSchema, emails: string[]): fc.Arbitrary<string> {
  const required = new Set(schema.required ?? [])
  const fields = Object.entries(schema.properties ?? {}).map(([name, s]) => ({ name, schema: s, required: required.has(name) }))
  const present = (level: Noise) =>
    fc.tuple(
      ...fields.map((field) => {
        const entry = fieldValue(field, emails, level).map((v): [string, unknown] => [field.name, v])
        if (level === 'clean' && field.required) return entry
        return fc.option(entry, { nil: undefined, freq: field.required ? 8 : 2 })
      }),
    )
  const body = noise.chain((level) =>
    level === 'clean'
      ? fc.tuple(present(level), fc.constant<[string, unknown][]>([]), fc.constant(false))
      : fc.tuple(present(level), fc.array(fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), garbage), { maxLength: 2 }), fc.boolean()),
  )
  return body
    .map(([known, extra, repeatFirst]) => {
      const entries = known.filter((e): e is [string, unknown] => e !== undefined)
      // The same key twice: JSON.parse keeps the last one, a validator that read the first would be fooled.
      if (repeatFirst && entries[0]) entries.push([entries[0][0], 'repeated'])
      return objectText([...entries, ...extra])
    })
}

const RAW_BODIES = [
  '', '{', '}', '{"a":', 'nul', "{'a':1}", '{"a":1,}', '[1,2', '\u0000', '\ufeff{}', '{"__proto__":{"role":"admin"}}',
  '{"constructor":{"prototype":{"role":"admin"}}}', '{"limit":1e400}', '{"a":-}', '0', '"text"', 'true', 'null', '[]', '[{}]',
  '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"name":"\\u0000"}', 'a=1&b=2', '<xml/>',
]

const CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1',
  'APPLICATION/JSON', 'application/vnd.api+json', 'application/json, text/plain', '*/*', 'application/json; charset=utf-8', 'application/jsonx',
]

const rawBody = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RAW_BODIES) },
  // Deep nesting, with and without a key that makes the parser scan for prototype pollution.
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 30_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 10_000 }).map((n) => '{"constructor":'.repeat(n) + '1' + '}'.repeat(n)) },
  // Over the 64 KiB body limit.
  { weight: 1, arbitrary: fc.integer({ min: 65_537, max: 200_000 }).map((n) => JSON.stringify({ name: 'x'.repeat(n) })) },
)

function bodyPart(target: Target, emails: string[]): fc.Arbitrary<{ contentType: string | undefined; payload: string | undefined }> {
  const json = (payload: fc.Arbitrary<string>) => payload.map((p) => ({ contentType: 'application/json', payload: p }))
  const none = fc.constant({ contentType: undefined, payload: undefined })
  const hasBody = target.method !== 'GET' && target.method !== 'DELETE'
  const options: fc.WeightedArbitrary<{ contentType: string | undefined; payload: string | undefined }>[] = [
    { weight: hasBody ? 1 : 8, arbitrary: none },
    { weight: 2, arbitrary: json(garbage.map((v) => JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: json(rawBody) },
    { weight: 1, arbitrary: fc.record({ contentType: fc.constantFrom(...CONTENT_TYPES), payload: fc.oneof(rawBody, garbage.map((v) => asText(v))) }) },
  ]
  if (target.body) options.push({ weight: hasBody ? 10 : 1, arbitrary: json(schemaBody(target.body, emails)) })
  return fc.oneof(...options)
}

const GARBAGE_AUTHORIZATION = [
  'Bearer', 'Bearer ', 'bearer  x.y.z', 'Basic dXNlcjpwYXNz', 'Token abc', 'Bearer fw_', "Bearer ' OR 1=1 --",
  // alg "none", and a token signed with another secret: neither may pass.
  'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwidHlwIjoiYWNjZXNzIn0.',
  'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwIjoiYWNjZXNzIn0.c2lnbmF0dXJlLW9mLWFub3RoZXItc2VjcmV0',
]
const GARBAGE_KEYS = ['', ' ', 'fw_', "' OR 1=1 --", 'fw_' + 'A'.repeat(200), 'not a key', 'fw_!!!!!!!!!!!!!!!!!!!!!!', '\t', 'x'.repeat(5_000)]

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      authorization: fc.option(fc.constantFrom(...GARBAGE_AUTHORIZATION), { nil: undefined }),
      apiKey: fc.option(fc.constantFrom(...GARBAGE_KEYS), { nil: undefined }),
    }),
  },
)

/** Long runs of one character, as `a×10000`, so a counterexample stays readable. */
const squeeze = (text: string) => text.replace(/(.)\1{49,}/gsu, (run, c: string) => `${JSON.stringify(c).slice(1, -1)}×${[...run].length}`)

function describe(request: FuzzRequest): string {
  const credentials = request.auth.kind === 'garbage' ? `garbage(authorization=${request.auth.authorization}, x-api-key=${request.auth.apiKey})` : request.auth.kind
  const body = request.payload === undefined ? '' : ` content-type=${request.contentType} body=${squeeze(JSON.stringify(request.payload))}`
  return `${request.method} ${squeeze(request.url)} auth=${credentials}${body}`
}

function requestArbitrary(target: Target, emails: string[]): fc.Arbitrary<FuzzRequest> {
  const params = target.route.split('/').map((segment): fc.Arbitrary<string> => {
    if (segment === '*') return wildcardRest
    if (!segment.includes(':')) return fc.constant(segment)
    const name = segment.slice(1)
    return pathValue(target.path.find((f) => f.name === name) ?? { name, schema: { type: 'string' }, required: true }, emails)
  })
  return fc
    .record({ segments: fc.tuple(...params), query: queryString(target, emails), body: bodyPart(target, emails), credentials: auth })
    .map(({ segments, query, body, credentials }) => {
      const request: FuzzRequest = { method: target.method, url: segments.join('/') + query, auth: credentials, ...body }
      return Object.assign(request, { [fc.toStringMethod]: () => describe(request) })
    })
}

// ---------------------------------------------------------------------------------------------
// Answers

/** Codes that mean the request was turned away before its input was looked at. */
const REFUSED: ReadonlySet<string> = new Set<ErrorCode>([
  'RATE_LIMITED', 'QUOTA_EXCEEDED', 'UNAUTHORIZED', 'TOKEN_EXPIRED', 'FORBIDDEN', 'ACCOUNT_DISABLED',
  'API_KEY_MISSING', 'API_KEY_MALFORMED', 'API_KEY_INVALID', 'API_KEY_INACTIVE', 'API_KEY_REVOKED', 'API_KEY_EXPIRED',
  'SESSION_ENDED', 'LOGIN_TOKEN_NOT_ACCEPTED', 'API_KEY_NOT_ACCEPTED',
])
/** Codes answered before the handler runs, by the framework or the schemas. */
const BEFORE_HANDLER: ReadonlySet<string> = new Set<ErrorCode>(['VALIDATION_ERROR', 'INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'])

const snippet = (text: string) => squeeze(text).slice(0, 300)

/** What is wrong with an answer, or undefined when it is acceptable. */
function problemWith(target: Target, response: LightMyRequestResponse): string | undefined {
  const status = response.statusCode
  const type = String(response.headers['content-type'] ?? '')
  if (status >= 500) return `answered ${status}: ${snippet(response.body)}`
  if (status < 200) return `answered ${status}`
  // Swagger UI redirects to its own pages; an API route never redirects.
  if (status >= 300 && status < 400) return target.documented ? `answered ${status}` : undefined
  if (status < 300) {
    if (!type.startsWith('application/json')) return undefined
    let body: { success?: unknown }
    try {
      body = JSON.parse(response.body) as typeof body
    } catch {
      return `${status} with a body that is not JSON: ${snippet(response.body)}`
    }
    // Under /api every body says whether it succeeded; /health and the docs have their own shapes.
    if (target.route.startsWith('/api') && body.success !== true) return `${status} without success: true: ${snippet(response.body)}`
    return undefined
  }
  if (!type.startsWith('application/json')) return `${status} with content-type ${type}: ${snippet(response.body)}`
  let body: { success?: unknown; error?: unknown; code?: unknown }
  try {
    body = JSON.parse(response.body) as typeof body
  } catch {
    return `${status} with a body that is not JSON: ${snippet(response.body)}`
  }
  if (body.success !== false || typeof body.error !== 'string' || body.error === '' || typeof body.code !== 'string') {
    return `${status} without the error envelope: ${snippet(response.body)}`
  }
  if (!Object.hasOwn(errorCatalogue, body.code)) return `${status} with a code outside the catalogue: ${body.code}`
  const catalogued = errorCatalogue[body.code as ErrorCode][0]
  // INVALID_TOKEN is a 400 for one-time tokens and a 401 for access and refresh tokens.
  if (catalogued !== status && !(body.code === 'INVALID_TOKEN' && status === 401)) return `${status} with ${body.code}, which the catalogue makes a ${catalogued}`
  return undefined
}

/** fast-check's report (seed, path, shrunk counterexample) and what was wrong with the answer. */
function failure(details: fc.RunDetails<[FuzzRequest]>): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
  return `${fc.defaultReportMessage(details) ?? 'failed'} Answer: ${error}`
}

class Tally {
  runs = 0
  withValidAuth = 0
  refusedWithValidAuth = 0
  validationErrors = 0
  reachedHandler = 0
  readonly statuses = new Map<string, number>()

  add(request: FuzzRequest, response: LightMyRequestResponse): void {
    this.runs += 1
    let code: string | undefined
    let routeMissing = false
    if (response.statusCode >= 400) {
      try {
        const body = JSON.parse(response.body) as { code?: string; error?: string }
        code = body.code
        routeMissing = code === 'NOT_FOUND' && (body.error ?? '').startsWith('Route ')
      } catch {
        code = undefined
      }
    }
    const label = `${response.statusCode}${code ? ` ${code}` : ''}`
    this.statuses.set(label, (this.statuses.get(label) ?? 0) + 1)
    if (code === 'VALIDATION_ERROR') this.validationErrors += 1
    if (request.auth.kind !== 'valid') return
    this.withValidAuth += 1
    if (code !== undefined && REFUSED.has(code)) this.refusedWithValidAuth += 1
    else if (response.statusCode < 300 || (code !== undefined && !BEFORE_HANDLER.has(code) && !routeMissing)) this.reachedHandler += 1
  }

  summary(): string {
    return [...this.statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join(', ')
  }
}

// ---------------------------------------------------------------------------------------------
// The app under fuzz

/**
 * The fixture site has only Victoria. Every other state gets an index page listing one station
 * (an airport, as Victoria has), so that a valid state is never answered with BOM's 404 for its
 * catalogue, which the app rightly turns into a 502: with these pages, no valid request has a
 * reason to fail upstream. Monthly files the fixture lacks are BOM's 404 for a month it does not
 * have, which is an empty month.
 */
function everyState(): Record<string, Route> {
  const routes = vicSite()
  states.forEach((state, i) => {
    const index = `/climate/dwo/${state.bomCode}.shtml`
    if (routes[index]) return
    const page = `<html><body><a href="IDCJDW${9000 + i}.latest.shtml">${state.name} Airport</a></body></html>`
    routes[index] = sendBytes(page, 'text/html; charset=utf-8')
  })
  return routes
}

async function setup(t: Parameters<typeof build>[0]) {
  const bom = await startBomServer(everyState())
  t.teardown(bom.close)
  const adminEmail = `fuzz-admin-${Date.now()}@example.com`
  const ctx = await build(t, {
    env: { BOM_BASE_URL: bom.baseUrl, ADMIN_EMAILS: adminEmail, AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
    clock: new TestClock(NOW),
  })
  const admin = await createUser(ctx, { email: adminEmail, fullName: 'Fuzz Admin' })
  // The key belongs to another user, so that the admin's garbage on /api/keys can never delete it.
  const keyOwner = await createUser(ctx, { fullName: 'Fuzz Key Owner' })
  const bystander = await createUser(ctx, { fullName: 'Fuzz Bystander' })
  const apiKey = await createKey(ctx, keyOwner)
  // Two keys of the admin's own, so that small ids reach the handlers of /api/keys/:id.
  await createKey(ctx, admin)
  await createKey(ctx, admin)
  // The fuzzer measures validation, not rate limits or quotas.
  await ctx.app.db.update(tiers).set({ monthlyQuota: null, rateLimitPerHour: 1_000_000 }).where(eq(tiers.name, 'enterprise'))
  await ctx.app.db.update(users).set({ tier: 'enterprise' }).where(eq(users.id, keyOwner.id))
  const savedTiers: Tier[] = await ctx.app.db.select().from(tiers)

  /**
   * Undoes whatever a garbage request changed about the fuzzer's own credentials: an admin edit
   * that went through, wrong current passwords, which count towards the login lockout, or a
   * "log out everywhere" or deactivation, which ends the admin's session.
   */
  async function restore(): Promise<void> {
    await ctx.app.db.update(users).set({ isActive: true, role: 'admin', loginAttempts: 0 }).where(eq(users.id, admin.id))
    const revived = await ctx.app.db
      .update(refreshTokens)
      .set({ revokedAt: null })
      .where(and(eq(refreshTokens.userId, admin.id), isNotNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id })
    if (revived.length > 0) await changesHeard(ctx)
    await ctx.app.db.update(users).set({ isActive: true, tier: 'enterprise' }).where(eq(users.id, keyOwner.id))
    for (const tier of savedTiers) await ctx.app.db.update(tiers).set(tier).where(eq(tiers.name, tier.name))
  }

  function send(request: FuzzRequest): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {}
    if (request.auth.kind === 'valid') {
      headers.authorization = `Bearer ${admin.accessToken}`
      headers['x-api-key'] = apiKey
    } else if (request.auth.kind === 'garbage') {
      if (request.auth.authorization !== undefined) headers.authorization = request.auth.authorization
      if (request.auth.apiKey !== undefined) headers['x-api-key'] = request.auth.apiKey
    }
    if (request.contentType !== undefined) headers['content-type'] = request.contentType
    const options: InjectOptions = { method: request.method, url: request.url, headers }
    if (request.payload !== undefined) options.payload = request.payload
    return ctx.app.inject(options)
  }

  return { ctx, admin, keyOwner, apiKey, emails: [keyOwner.email, bystander.email], restore, send }
}

// ---------------------------------------------------------------------------------------------

t.test('every route answers garbage with a 4xx in the error envelope, never a 5xx', async (t) => {
  const started = performance.now()
  const { ctx, admin, keyOwner, apiKey, emails, restore, send } = await setup(t)
  const { targets, table, operations } = discoverTargets(ctx)

  t.test('the routes are read from the app, and every one is fuzzed', async (t) => {
    const fuzzed = new Set(targets.map((target) => `${target.method} ${openApiPath(target.route)}`))
    t.same(operations.filter((op) => !fuzzed.has(op)), [], 'every operation of the OpenAPI document is in the router table and fuzzed')
    // HEAD runs the GET handler; OPTIONS is the CORS preflight, on the wildcard only.
    const left = table.filter((r) => !(FUZZED_METHODS as readonly string[]).includes(r.method))
    const unexplained = left.filter((r) => !(r.method === 'HEAD' && table.some((g) => g.method === 'GET' && g.path === r.path)) && !(r.method === 'OPTIONS' && r.path === '*'))
    t.same(unexplained, [], 'no route has a method the fuzzer does not send')
    t.same([...new Set(targets.map((target) => target.method))].sort(), [...FUZZED_METHODS].sort(), 'GET, POST, PUT, PATCH and DELETE routes are all fuzzed')
    t.ok(operations.length >= 30, `the OpenAPI document lists the app's operations (${operations.length})`)
  })

  for (const target of targets) {
    t.test(`${target.method} ${target.route}`, async (t) => {
      const tally = new Tally()
      const property = fc.asyncProperty(requestArbitrary(target, emails), async (request) => {
        const response = await send(request)
        tally.add(request, response)
        if (request.method !== 'GET') await restore()
        const problem = problemWith(target, response)
        if (problem) throw new Error(problem)
      })
      const details = await fc.check(property, { numRuns: RUNS_PER_ROUTE, ...(SEED === undefined ? {} : { seed: SEED }) })
      t.notOk(details.failed, details.failed ? failure(details) : 'no 5xx, every 4xx in the envelope')
      t.comment(tally.summary())
      if (target.takesInput) t.ok(tally.validationErrors > 0, 'garbage reached validation and was refused with VALIDATION_ERROR')
      if (target.documented) t.ok(tally.reachedHandler > 0, 'some input got past validation to the handler')
      if (target.documented) {
        t.ok(tally.refusedWithValidAuth <= tally.withValidAuth * 0.1, `credentials held: ${tally.refusedWithValidAuth} of ${tally.withValidAuth} refused before validation`)
      }
      const health = await ctx.app.inject({ method: 'GET', url: '/health' })
      t.equal(health.statusCode, 200, 'the app is still live')
    })
  }

  t.test('afterwards the app still serves valid requests', async (t) => {
    // A batch of usage rows the database refuses would stay buffered, and settling would throw.
    await settle(ctx)
    t.ok((await usageRows(ctx, keyOwner)) > 0, "the fuzzer's metered requests were recorded")
    t.equal((await ctx.app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready')
    const me = await ctx.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${admin.accessToken}` } })
    t.equal(me.statusCode, 200, 'the admin token works')
    t.equal(json(me).user.role, 'admin')
    const weather = await ctx.app.inject({
      method: 'GET',
      url: '/api/weather/location?location=Melbourne&state=VIC&date_from=2025-10-01&date_to=2025-10-07',
      headers: { 'x-api-key': apiKey },
    })
    t.equal(weather.statusCode, 200, 'a valid data request works')
    t.equal(json(weather).data.length, 7)
    t.equal((await login(ctx, admin.email, admin.password)).statusCode, 200, 'the admin can still log in')
    t.comment(`fuzzed ${targets.length} routes in ${Math.round(performance.now() - started)} ms`)
  })
})
