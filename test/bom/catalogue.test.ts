import t from 'tap'
import { parseLetterGroup, parseStateIndex } from '../../src/services/bom/catalogue.js'
import { decodeEntities, extractLinks } from '../../src/services/bom/html.js'
import { fixture } from '../fixtures/bom/server.js'

const INDEX_URL = 'https://www.bom.gov.au/climate/dwo/IDCJDW0300.shtml'
const html = (path: string) => fixture(`html/${path}`).toString('utf8')

t.test('entities are decoded', async (t) => {
  t.equal(decodeEntities('Kilmore Gap &amp; Broadford'), 'Kilmore Gap & Broadford')
  t.equal(decodeEntities('O&#39;Shannassy &#x2013; &quot;Reservoir&quot; &lt;x&gt;&nbsp;'), 'O\'Shannassy \u2013 "Reservoir" <x>\u00a0')
  t.equal(decodeEntities('&AMP; &unknown; &#0; &#xD800; & plain'), '& &unknown; &#0; &#xD800; & plain', 'unknown and invalid references stay as written')
})

t.test('links: tags in the text are dropped, whitespace collapsed, comments ignored', async (t) => {
  t.same(
    extractLinks(`<p><A HREF='a.shtml' class=x>  One\n  <b>Two</b> </A><!-- <a href="c.shtml">C</a> --><a href=b.shtml>B&amp;B</a><a name="x">no href</a></p>`),
    [
      { href: 'a.shtml', text: 'One Two' },
      { href: 'b.shtml', text: 'B&B' },
    ],
  )
})

t.test('the state index: letter-group pages, absolute, once each, on the same origin only', async (t) => {
  t.same(parseStateIndex(html('IDCJDW0300.shtml'), INDEX_URL), [
    'https://www.bom.gov.au/climate/dwo/vic-a-e.shtml',
    'https://www.bom.gov.au/climate/dwo/vic-f-k.shtml',
    'https://www.bom.gov.au/climate/dwo/vic-l.shtml',
    'https://www.bom.gov.au/climate/dwo/vic-m-r.shtml',
    'https://www.bom.gov.au/climate/dwo/vic-s-z.shtml',
  ])
})

t.test('the state index: what counts as a letter group', async (t) => {
  const page = [
    '<a href="g1.shtml">A - E</a>',
    '<a href="g2.shtml">L</a>',
    '<a href="g3.shtml">M-R</a>',
    '<a href="g4.shtml">S &ndash; Z</a>',
    '<a href="g5.shtml">AB</a>',
    '<a href="g6.shtml">A - E - F</a>',
    '<a href="g7.shtml">1 - 9</a>',
    '<a href="mailto:x@example.org">M</a>',
    '<a href="javascript:void(0)">J</a>',
    '<a href="http://[bad">B</a>',
    '<a href="//elsewhere.example/g8.shtml">E</a>',
  ].join('\n')
  t.same(parseStateIndex(page, 'http://127.0.0.1:20000/climate/dwo/IDCJDW0300.shtml'), [
    'http://127.0.0.1:20000/climate/dwo/g1.shtml',
    'http://127.0.0.1:20000/climate/dwo/g2.shtml',
    'http://127.0.0.1:20000/climate/dwo/g3.shtml',
    'http://127.0.0.1:20000/climate/dwo/g4.shtml',
  ])
})

t.test('a letter group: stations by their .latest.shtml links', async (t) => {
  t.same(parseLetterGroup(html('vic-m-r.shtml')), [
    { pageId: 'IDCJDW3050', name: 'Melbourne (Olympic Park)' },
    { pageId: 'IDCJDW3049', name: 'Melbourne Airport' },
    { pageId: 'IDCJDW3053', name: 'Mildura' },
    { pageId: 'IDCJDW3054', name: 'Moorabbin Airport' },
    { pageId: 'IDCJDW3056', name: 'Mount Buller' },
    { pageId: 'IDCJDW3063', name: "O'Shannassy Reservoir" },
    { pageId: 'IDCJDW3067', name: 'Port Fairy' },
    { pageId: 'IDCJDW3068', name: 'Rhyll' },
  ])
})

t.test('a letter group: entities, nested tags, root-relative links; other links ignored', async (t) => {
  const stations = parseLetterGroup(html('vic-a-e.shtml'))
  t.same(
    stations.map((station) => station.pageId),
    ['IDCJDW3001', 'IDCJDW3003', 'IDCJDW3005', 'IDCJDW3006', 'IDCJDW3014', 'IDCJDW3017', 'IDCJDW3022'],
    'not the monthly page nor the link back to the state',
  )
  t.equal(stations.find((station) => station.pageId === 'IDCJDW3014')?.name, 'Cape Otway Lighthouse')
  t.same(parseLetterGroup(html('vic-f-k.shtml')).at(-1), { pageId: 'IDCJDW3040', name: 'Kilmore Gap & Broadford' })
})

t.test('a letter group: odd links', async (t) => {
  const page = [
    '<a href="https://www.bom.gov.au/climate/dwo/IDCJDW3050.latest.shtml?ref=x">Melbourne (Olympic Park)</a>',
    '<a href="IDCJDW3050.latest.shtml">Melbourne again</a>',
    '<a href="IDCJDW3099.latest.shtml">  </a>',
    '<a href="IDCJDW30999.latest.shtml">Too many digits</a>',
    '<a href="IDCJDW3098.latest.shtml.bak">Not a page</a>',
    '<a href="XIDCJDW3097.latest.shtml">Prefixed</a>',
    '<a href="idcjdw3096.latest.shtml">Lower case</a>',
  ].join('')
  t.same(parseLetterGroup(page), [
    { pageId: 'IDCJDW3050', name: 'Melbourne (Olympic Park)' },
    { pageId: 'IDCJDW3096', name: 'Lower case' },
  ])
  t.same(parseLetterGroup('<html><body>No stations</body></html>'), [])
})
