import { say } from './dom.js'

/** Copies text and says so in `status`; selects it for a manual copy when the browser refuses. */
export async function copyText(text, status, input) {
  try {
    await navigator.clipboard.writeText(text)
    say(status, 'Copied to the clipboard.', 'success')
  } catch {
    input?.select()
    say(status, 'Your browser did not allow copying: the text is selected, press Ctrl+C (or ⌘C) to copy it.', 'warning')
  }
}
