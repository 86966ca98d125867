import type { AdoptionOutcome } from './adopt.js'
import { LEGACY_SCHEMA, LEGACY_TABLE_NAMES } from './legacy-tables.js'
import type { Review } from './review.js'

const n = (value: number) => value.toLocaleString('en-US')

function countsTable(review: Review, after?: Record<string, number>): string[] {
  const header = ['table', 'old rows', after ? 'now in the table' : 'will come across']
  const rows = LEGACY_TABLE_NAMES.map((t) => [t, n(review.counts[t].rows), n(after ? (after[t] ?? 0) : review.counts[t].comeAcross)])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')
  return [line(header), ...rows.map(line)]
}

function reviewLines(review: Review, after?: Record<string, number>): string[] {
  const lines = ['', 'Rows:', ...countsTable(review, after)]
  lines.push('', 'Conversions made without asking (they keep the meaning):')
  for (const table of LEGACY_TABLE_NAMES) for (const note of review.notes[table]) lines.push(`  ${table}: ${note}`)
  if (LEGACY_TABLE_NAMES.every((t) => review.notes[t].length === 0)) lines.push('  (none)')
  if (review.warnings.length > 0) {
    lines.push('', 'Rows that come across as they are, to know about:')
    for (const warning of review.warnings) lines.push(`  - ${warning}`)
  }
  if (review.conflicts.length > 0) {
    lines.push('', `Rows that cannot come across as they are (${review.conflicts.reduce((sum, c) => sum + c.ids.length, 0)}):`)
    for (const c of review.conflicts) {
      lines.push(`  ${c.table} ${c.ids.join(', ')}: ${c.problem}`, `      resolve: ${c.resolve}`)
    }
  }
  if (review.optionProblems.length > 0) {
    lines.push('', 'Options that resolve nothing:')
    for (const problem of review.optionProblems) lines.push(`  - ${problem}`)
  }
  return lines
}

/**
 * What the operator reads: counts, conversions, warnings and every row in the way, with how to
 * resolve it. Ids, emails and key prefixes only: never a password hash, token or key.
 */
export function formatReport(outcome: AdoptionOutcome): string {
  switch (outcome.kind) {
    case 'empty':
      return 'The database is empty: there is nothing to adopt. `npm run db:migrate` (or `npm start`) prepares it for this service.'
    case 'ours': {
      const pending = outcome.available - outcome.applied
      return `This is already this service's database (${outcome.applied} of ${outcome.available} migrations applied): nothing to adopt, nothing changed.` +
        (pending > 0 ? ` \`npm run db:migrate\` applies the ${pending} pending.` : '')
    }
    case 'unknown':
      return ['Refused: this database is neither empty, this service\'s, nor the previous service\'s. Nothing was changed.', ...outcome.reasons.map((r) => `  - ${r}`)].join('\n')
    case 'dry-run': {
      const blocked = outcome.review.conflicts.length > 0 || outcome.review.optionProblems.length > 0
      return [
        'Dry run: the database holds the previous service\'s tables. Nothing was changed.',
        ...reviewLines(outcome.review),
        '',
        blocked
          ? 'The adoption would stop here, before changing anything: resolve every row above (the options are in README.md), then dry-run again.'
          : `The adoption would, in one transaction: move the old tables into schema ${LEGACY_SCHEMA}, apply the ${outcome.migrations} migrations in drizzle/, copy every row above, continue the ids after the highest old ones, and drop the old tables (key_value and the tokens with them). A failure rolls all of it back.`,
      ].join('\n')
    }
    case 'stopped':
      return ['Stopped: rows of the old database cannot come across as they are. Nothing was changed; the old service can go on using it.', ...reviewLines(outcome.review)].join('\n')
    case 'adopted':
      return [
        `Adopted in ${outcome.seconds.toFixed(1)} s: the database is this service's now (${outcome.migrations} migrations applied), and the old tables are gone.`,
        ...reviewLines(outcome.review, outcome.after),
        '',
        `New ids start at: ${Object.entries(outcome.nextIds).map(([table, id]) => `${table} ${n(id)}`).join(', ')}.`,
        'From now on `npm run db:migrate` and `npm start` work on this database as on any of this service.',
      ].join('\n')
  }
}
