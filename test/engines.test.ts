import { readFileSync } from 'node:fs'
import semver from 'semver'
import t from 'tap'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }>
}

t.test('every installed package runs on the oldest Node the project promises', async (t) => {
  const oldest = semver.minVersion(manifest.engines.node)
  t.ok(oldest, `engines.node names a minimum: ${manifest.engines.node}`)
  const readme = readFileSync(new URL('README.md', root), 'utf8')
  t.match(readme, `Node.js ${oldest!.major}.${oldest!.minor} or newer`, 'the README promises the same version')

  const refusing = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && entry.engines?.node)
    .filter(([, entry]) => !semver.satisfies(oldest!, (entry.engines as { node: string }).node, { includePrerelease: true }))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${(entry.engines as { node: string }).node}`)
  t.same(refusing, [], `no package wants a newer Node than ${oldest}`)
})

t.test('this run is on a Node the project supports', async (t) => {
  t.ok(semver.satisfies(process.version, manifest.engines.node), `${process.version} satisfies ${manifest.engines.node}`)
})
