export type AnswerFormat = 'json' | 'csv'

/** Whether an Accept header lists `text/csv` with a weight above zero. */
function acceptsCsv(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    if (type !== 'text/csv') return false
    const weight = params.find((p) => p.startsWith('q='))
    return weight === undefined || Number(weight.slice(2)) > 0
  })
}

/**
 * The format of an answer: `format=` when given, else CSV when the Accept header asks for
 * `text/csv`, else JSON. The parameter wins, so a link can name its format whatever the client sends.
 */
export function answerFormat(format: AnswerFormat | undefined, accept: string | undefined): AnswerFormat {
  if (format) return format
  return accept !== undefined && acceptsCsv(accept) ? 'csv' : 'json'
}
