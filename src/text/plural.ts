const rules = new Intl.PluralRules('en')

/** "1 station", "2 stations", "0 stations"; `plural` for words that do not just take an s. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en')} ${rules.select(count) === 'one' ? singular : plural}`
}
