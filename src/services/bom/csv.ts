import { observationColumns, type ObservationColumn, type ObservationRecord } from '../../domain/observation-fields.js'
import { states } from '../../domain/states.js'
import { splitCsvLine } from './csv-line.js'
import { BomFormatError } from './errors.js'
import { decodeBomText } from './text.js'

export interface MonthlyCsv {
  /** The station named in the file's title, when it has one. */
  stationName?: string
  /** One record per day, in date order. */
  records: ObservationRecord[]
}

/**
 * Compares header labels by their letters, digits and unit punctuation only, so the trailing
 * space of "Direction of maximum wind gust " and however the degree sign was encoded do not matter.
 */
const labelKey = (label: string) => label.toLowerCase().replace(/[^a-z0-9%()/]/g, '')

const columnsByKey = new Map<string, ObservationColumn>(observationColumns.map((column) => [labelKey(column.header), column]))

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/
const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/

function isHeader(cells: string[]): boolean {
  return cells.length > 2 && cells[0]!.trim() === '' && cells[1]!.trim() === 'Date'
}

/** Where each known column sits; a header that is not exactly the known set is refused. */
function columnPositions(cells: string[], line: number): Map<ObservationColumn, number> {
  const positions = new Map<ObservationColumn, number>()
  cells.forEach((label, index) => {
    if (index === 0 || label.trim() === '') return
    const column = columnsByKey.get(labelKey(label))
    if (!column) throw new BomFormatError(`unexpected column "${label.trim()}" in the header`, line)
    if (positions.has(column)) throw new BomFormatError(`column "${label.trim()}" appears twice in the header`, line)
    positions.set(column, index)
  })
  const missing = observationColumns.filter((column) => !positions.has(column)).map((column) => column.header.trim())
  if (missing.length > 0) throw new BomFormatError(`the header lacks ${missing.map((name) => `"${name}"`).join(', ')}`, line)
  return positions
}

/** `2025-10-1` → `2025-10-01`; undefined unless it is a real calendar date. */
export function parseBomDate(text: string): string | undefined {
  const match = DATE.exec(text.trim())
  if (!match) return undefined
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return date.toISOString().slice(0, 10)
}

function parseCell(column: ObservationColumn, raw: string, line: number): number | string | null {
  const text = raw.trim()
  if (text === '') return null
  if (column.kind === 'text') return text
  if ('calm' in column && /^calm$/i.test(text)) return 0
  if (!NUMBER.test(text)) throw new BomFormatError(`"${text}" is not a number in column "${column.header.trim()}"`, line)
  return Number(text)
}

function parseRow(cells: string[], positions: Map<ObservationColumn, number>, width: number, line: number): ObservationRecord | undefined {
  const date = parseBomDate(cells[positions.get(observationColumns[0])!] ?? '')
  if (date === undefined) return undefined
  if (cells.slice(width).some((cell) => cell.trim() !== '')) throw new BomFormatError('a data line has more cells than the header', line)
  const record: Record<string, number | string | null> = { date }
  for (const [column, index] of positions) {
    if (column.kind !== 'date') record[column.field] = parseCell(column, cells[index] ?? '', line)
  }
  return record as ObservationRecord
}

const TITLE = /^Daily Weather Observations for (.+)$/i
const DRAWN_FROM = /^Observations were drawn from (.+?)\s*\{station \d+\}/i

/** The title reads "Daily Weather Observations for <station>, <state> for <Month> <year>". */
function stationNameFrom(preamble: string[]): string | undefined {
  const texts = preamble.map((line) => (splitCsvLine(line)[0] ?? '').trim().replace(/\s+/g, ' '))
  for (const text of texts) {
    const title = TITLE.exec(text)?.[1]
    if (title === undefined) continue
    let name = title.replace(/\s+for [A-Za-z]+ \d{4}$/, '')
    const comma = name.lastIndexOf(',')
    const state = name.slice(comma + 1).trim().toLowerCase()
    if (comma > 0 && states.some((candidate) => candidate.name.toLowerCase() === state)) name = name.slice(0, comma)
    if (name.trim() !== '') return name.trim()
  }
  for (const text of texts) {
    const drawnFrom = DRAWN_FROM.exec(text)?.[1]
    if (drawnFrom) return drawnFrom
  }
  return undefined
}

/**
 * Parses one station's monthly CSV. Lines other than the header and data lines (preamble,
 * blanks, footer) are skipped, as are data lines without a valid date; a later line for a date
 * replaces an earlier one.
 */
export function parseMonthlyCsv(bytes: Uint8Array | Buffer): MonthlyCsv {
  const lines = decodeBomText(bytes).split(/\r\n|\r|\n/)
  const headerIndex = lines.findIndex((line) => line.trimStart().startsWith(',') && isHeader(splitCsvLine(line)))
  if (headerIndex < 0) throw new BomFormatError('no header line starting with ,"Date", was found')
  const headerCells = splitCsvLine(lines[headerIndex]!)
  const positions = columnPositions(headerCells, headerIndex + 1)

  const byDate = new Map<string, ObservationRecord>()
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index]!
    if (!line.startsWith(',')) continue
    const record = parseRow(splitCsvLine(line), positions, headerCells.length, index + 1)
    if (record) byDate.set(record.date, record)
  }
  const records = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  const stationName = stationNameFrom(lines.slice(0, headerIndex))
  return stationName === undefined ? { records } : { stationName, records }
}
