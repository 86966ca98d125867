const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
}

function fromCodePoint(code: number, original: string): string {
  const valid = Number.isInteger(code) && code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
  return valid ? String.fromCodePoint(code) : original
}

/** Decodes character references; unknown names are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/gi, (original, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref.toLowerCase()] ?? original
    const hex = ref[1] === 'x' || ref[1] === 'X'
    return fromCodePoint(Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10), original)
  })
}

export interface Link {
  /** The href as written, entities decoded. */
  href: string
  /** The visible text: tags dropped, entities decoded, whitespace collapsed and trimmed. */
  text: string
}

const ANCHOR = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i

/**
 * The `<a href>` links of a page. BOM's pages are simple static HTML: anchors are not nested and
 * attributes are quoted, which a pattern handles without a parser.
 */
export function extractLinks(html: string): Link[] {
  const links: Link[] = []
  for (const [, attributes = '', inner = ''] of html.replace(/<!--[\s\S]*?-->/g, '').matchAll(ANCHOR)) {
    const match = HREF.exec(attributes)
    const href = match?.[1] ?? match?.[2] ?? match?.[3]
    if (href === undefined) continue
    const text = decodeEntities(inner.replace(/<[^>]*>/g, ' ')).replace(/[\s\u00a0]+/g, ' ').trim()
    links.push({ href: decodeEntities(href).trim(), text })
  }
  return links
}
