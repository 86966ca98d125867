import { readFileSync } from 'node:fs'
import t from 'tap'

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
const { scripts } = packageJson

t.test('npm start runs the compiled service, without a TypeScript loader in the process', async (t) => {
  const words = scripts.start!.split(/\s+/)
  t.equal(words[0], 'node')
  t.equal(words.at(-1), 'dist/server.js', 'the build output, not src/server.ts')
  t.notOk(words.some((word) => word === 'tsx' || word.includes('--import') || word.includes('--loader')), 'no loader thread or transform caches beside the service')
  t.match(scripts.prestart, /npm run --silent build/, 'it compiles first, so a fresh checkout starts with npm start alone')
  t.match(readFileSync(new URL('../tsconfig.build.json', import.meta.url), 'utf8'), /"incremental": true/, 'and only what changed is compiled again')
})

t.test('npm start caps the young generation the metered route fills', async (t) => {
  const semiSpace = /--max-semi-space-size=(\d+)/.exec(scripts.start!)
  t.ok(semiSpace, 'the flag is given')
  t.ok(Number(semiSpace?.[1]) <= 8, 'at most 8 MiB per semi-space (V8 grows it to 16 MiB, 48 MiB of young generation, under load)')
  t.equal(scripts['start:prod'], scripts.start, 'start:prod (no compile step) launches the service the same way')
})
