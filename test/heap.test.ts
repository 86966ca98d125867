import { test } from 'tap'
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../src/heap.js'

test('the heap growth limit is applied unless the command line sets its own', async (t) => {
  t.ok(HEAP_GROWING_PERCENT > 0 && HEAP_GROWING_PERCENT < 300, 'a limit below V8\'s own maximum growth (4×)')
  t.equal(limitHeapGrowth([]), true, 'applied with no flag given')
  t.equal(limitHeapGrowth(['--enable-source-maps']), true, 'other flags do not count')
  t.equal(limitHeapGrowth(['--heap-growing-percent=50']), false, 'an operator\'s value is kept')
  t.equal(limitHeapGrowth(['--heap_growing_percent=50']), false, 'in either spelling')
  t.equal(limitHeapGrowth(['--heap-growing-percent', '50']), false, 'or as two arguments')
})
