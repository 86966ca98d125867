const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Windows-1252 for bytes 0x80–0x9F (the rest equals Latin-1). Written out because Node's
 * 'windows-1252' decoder is plain Latin-1 in that range.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

export function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    units[i] = byte >= 0x80 && byte <= 0x9f ? CP1252_80_9F[byte - 0x80]! : byte
  }
  let text = ''
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.subarray(i, i + 8192))
  return text
}

/**
 * BOM's files are mostly ASCII; the degree sign arrives as UTF-8 or as the single Latin-1 byte
 * 0xB0. Valid UTF-8 is taken as UTF-8 (Windows-1252 text with non-ASCII bytes is practically
 * never valid UTF-8), anything else as Windows-1252.
 */
export function decodeBomText(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  try {
    return utf8.decode(body)
  } catch {
    return decodeWindows1252(body)
  }
}
