import t from 'tap'
import { counted } from '../src/text/plural.js'

t.test('counts read as English', async (t) => {
  t.equal(counted(1, 'station'), '1 station')
  t.equal(counted(0, 'station'), '0 stations')
  t.equal(counted(2, 'day'), '2 days')
  t.equal(counted(1234, 'request'), '1,234 requests')
  t.equal(counted(1, 'entry', 'entries'), '1 entry')
  t.equal(counted(3, 'entry', 'entries'), '3 entries')
})
