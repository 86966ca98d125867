/** The eight states and territories; `bomCode` is the page id of the state's index of stations. */
const table = [
  { code: 'ACT', name: 'Australian Capital Territory', bomCode: 'IDCJDW0100' },
  { code: 'NSW', name: 'New South Wales', bomCode: 'IDCJDW0200' },
  { code: 'VIC', name: 'Victoria', bomCode: 'IDCJDW0300' },
  { code: 'QLD', name: 'Queensland', bomCode: 'IDCJDW0400' },
  { code: 'SA', name: 'South Australia', bomCode: 'IDCJDW0500' },
  { code: 'WA', name: 'Western Australia', bomCode: 'IDCJDW0600' },
  { code: 'TAS', name: 'Tasmania', bomCode: 'IDCJDW0700' },
  { code: 'NT', name: 'Northern Territory', bomCode: 'IDCJDW0800' },
] as const

export type StateCode = (typeof table)[number]['code']

export interface State {
  readonly code: StateCode
  readonly name: string
  readonly bomCode: string
}

export const states: readonly State[] = table

export const stateCodes: readonly StateCode[] = table.map((state) => state.code)

const key = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase()

const byKey = new Map<string, State>(states.flatMap((state) => [[key(state.code), state] as const, [key(state.name), state] as const]))

/** Users write a state as its code or its full name, in any case and spacing. */
export function resolveState(input: string): State | undefined {
  return byKey.get(key(input))
}
