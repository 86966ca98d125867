import { observationFields, type ObservationField, type ObservationRecord } from '../../domain/observation-fields.js'
import { apiError } from '../../errors.js'

/** Every field name once, with the commas between them: a longer `fields=` cannot be valid. */
export const MAX_FIELDS_LENGTH = observationFields.join(',').length

const known = new Set<string>(observationFields)

/**
 * The fields a `fields=` parameter selects, always with `date`, in the order of BOM's columns
 * whatever order they were asked in, so that one selection always gives one layout. A name
 * given twice counts once; an empty parameter selects every field; an unknown name is refused
 * with the list of valid ones.
 */
export function selectedFields(parameter: string | undefined): readonly ObservationField[] {
  const asked = (parameter ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '')
  if (asked.length === 0) return observationFields
  const unknown = [...new Set(asked.filter((name) => !known.has(name)))]
  if (unknown.length > 0) {
    throw apiError('UNKNOWN_FIELD', {
      message: `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      extra: { unknown_fields: unknown, valid_fields: observationFields },
    })
  }
  const wanted = new Set(asked)
  return observationFields.filter((field) => field === 'date' || wanted.has(field))
}

/** The records with only `fields`; every field selected gives the stored records themselves. */
export function recordsWithFields(records: ObservationRecord[], fields: readonly ObservationField[]): Partial<ObservationRecord>[] {
  if (fields.length === observationFields.length) return records
  return records.map((record) => Object.fromEntries(fields.map((field) => [field, record[field]])))
}
