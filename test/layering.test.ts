import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

/**
 * Each layer and the layers above it that it must not reach into: the schema is read by
 * drizzle-kit and the scripts without the services, and the shared domain facts by everything.
 */
const FORBIDDEN: Record<string, readonly string[]> = {
  db: ['services', 'routes', 'plugins'],
  domain: ['db', 'services', 'routes', 'plugins', 'schemas'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Every module a source names: static imports, re-exports, `import type` and dynamic `import()`. */
function importedSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName)
}

/** The top-level directory under src/ that a relative import from `file` lands in, if any. */
function targetLayer(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const target = relative(SRC, resolve(dirname(file), specifier))
  if (target.startsWith('..')) return undefined
  return target.split(sep)[0]
}

t.test('the import reader sees every form of import', async (t) => {
  const source = [
    "import { a } from '../../services/a.js'",
    "import type { B } from '../routes/b.js'",
    "export { c } from '../plugins/c.js'",
    "import '../services/side-effect.js'",
    "const d = await import('../services/d.js')",
  ].join('\n')
  t.same(importedSpecifiers(source), ['../../services/a.js', '../routes/b.js', '../plugins/c.js', '../services/side-effect.js', '../services/d.js'])
})

for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
  t.test(`src/${layer}/ imports nothing from ${forbidden.map((f) => `src/${f}/`).join(', ')}`, async (t) => {
    const files = sourceFiles(join(SRC, layer))
    t.ok(files.length > 0, `src/${layer}/ has source files`)
    const violations = files.flatMap((file) =>
      importedSpecifiers(readFileSync(file, 'utf8'))
        .filter((specifier) => forbidden.includes(targetLayer(file, specifier) ?? ''))
        .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
    )
    t.same(violations, [])
  })
}
