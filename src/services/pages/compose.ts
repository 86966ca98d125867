import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The pages are written as their `<main>` content with a first line
 * `<!-- page {"title": …, "script": …, "styles"?: […]} -->` and, where the header differs, a
 * `<!-- slot: nav -->…<!-- /slot -->` block. They are put into one shared layout once, at start,
 * so the head and header are written once, and no build step is needed.
 */
interface PageMeta {
  title: string
  script: string
  styles?: string[]
}

const META = /^<!-- page (\{.*\}) -->\n/
const NAV_SLOT = /^<!-- slot: nav -->\n([\s\S]*?)\n<!-- \/slot -->\n/

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

export function composePage(layout: string, defaultNav: string, source: string, name: string): string {
  const meta = META.exec(source)
  if (!meta) throw new Error(`${name} does not start with its <!-- page {…} --> line`)
  const { title, script, styles = [] } = JSON.parse(meta[1]!) as PageMeta
  let body = source.slice(meta[0].length)
  const nav = NAV_SLOT.exec(body)
  if (nav) body = body.slice(nav[0].length)
  const parts: Record<string, string> = {
    title: escapeAttribute(title),
    script: escapeAttribute(script),
    styles: styles.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}">\n`).join(''),
    nav: (nav ? nav[1]! : defaultNav.trimEnd()) + '\n',
    main: body,
  }
  // One pass, so that nothing a part contains is read as a placeholder.
  return layout.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const part = parts[key]
    if (part === undefined) throw new Error(`the layout names an unknown part {{${key}}}`)
    return part
  })
}

/** Every page of `files` (path → file under web/pages), composed with web/layout.html. */
export function composePages(webRoot: string, files: Record<string, string>): Map<string, string> {
  const layout = readFileSync(join(webRoot, 'layout.html'), 'utf8')
  const nav = readFileSync(join(webRoot, 'site-nav.html'), 'utf8')
  return new Map(Object.entries(files).map(([path, file]) => [path, composePage(layout, nav, readFileSync(join(webRoot, 'pages', file), 'utf8'), file)]))
}
