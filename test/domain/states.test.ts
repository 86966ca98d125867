import t from 'tap'
import { resolveState, stateCodes, states } from '../../src/domain/states.js'

t.test('the eight states with their index page ids', async (t) => {
  t.same(
    states.map((state) => [state.code, state.name, state.bomCode]),
    [
      ['ACT', 'Australian Capital Territory', 'IDCJDW0100'],
      ['NSW', 'New South Wales', 'IDCJDW0200'],
      ['VIC', 'Victoria', 'IDCJDW0300'],
      ['QLD', 'Queensland', 'IDCJDW0400'],
      ['SA', 'South Australia', 'IDCJDW0500'],
      ['WA', 'Western Australia', 'IDCJDW0600'],
      ['TAS', 'Tasmania', 'IDCJDW0700'],
      ['NT', 'Northern Territory', 'IDCJDW0800'],
    ],
  )
  t.same(stateCodes, ['ACT', 'NSW', 'VIC', 'QLD', 'SA', 'WA', 'TAS', 'NT'])
})

t.test('resolveState accepts a code or a full name in any case and spacing', async (t) => {
  const cases: Array<[string, string]> = [
    ['vic', 'VIC'],
    ['VIC', 'VIC'],
    ['Victoria', 'VIC'],
    [' new south wales ', 'NSW'],
    ['New  South\tWales', 'NSW'],
    ['nt', 'NT'],
    ['NORTHERN TERRITORY', 'NT'],
    ['\ttas\n', 'TAS'],
    ['australian capital territory', 'ACT'],
    ['Sa', 'SA'],
    ['western australia', 'WA'],
    ['Queensland', 'QLD'],
  ]
  for (const [input, code] of cases) t.equal(resolveState(input)?.code, code, JSON.stringify(input))
})

t.test('resolveState answers undefined for anything else', async (t) => {
  for (const input of ['', '  ', 'V', 'VICT', 'Victoria Australia', 'NZ', 'IDCJDW0300', 'south', 'new south']) {
    t.equal(resolveState(input), undefined, JSON.stringify(input))
  }
})

t.test('every state resolves by its own code and name to itself', async (t) => {
  for (const state of states) {
    t.equal(resolveState(state.code.toLowerCase()), state, state.code)
    t.equal(resolveState(state.name.toUpperCase()), state, state.name)
  }
})
