import { ApiError } from './api.js'
import { el, say } from './dom.js'
import { fieldMessage, messageFor } from './messages.js'

/** The visible label of a form field, for messages that name it. */
function labelOf(input) {
  return input.labels?.[0]?.textContent?.trim() || input.name
}

function errorSlot(input) {
  const id = `${input.id}-error`
  let slot = document.getElementById(id)
  if (!slot) {
    slot = el('p', { id, class: 'field-error', hidden: true })
    input.after(slot)
  }
  return slot
}

function setFieldError(input, text) {
  const slot = errorSlot(input)
  say(slot, text, 'error')
  input.setAttribute('aria-invalid', text ? 'true' : 'false')
  const described = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean))
  if (text) described.add(slot.id)
  else described.delete(slot.id)
  if (described.size > 0) input.setAttribute('aria-describedby', [...described].join(' '))
  else input.removeAttribute('aria-describedby')
}

/** The live regions of a form, created once when it is bound so announcements are heard. */
function regionsOf(form) {
  let alert = form.querySelector(':scope > .form-error')
  if (!alert) {
    alert = el('div', { class: 'form-error', role: 'alert', hidden: true })
    form.append(alert)
  }
  let status = form.querySelector(':scope > .form-status')
  if (!status) {
    status = el('p', { class: 'form-status', role: 'status', hidden: true })
    form.append(status)
  }
  return { alert, status }
}

/**
 * Shows an error where it belongs: a field's own message beside it, or one sentence for the
 * form. `fieldFor` maps an error code to the field it is about (e.g. EMAIL_TAKEN → email);
 * `messages` replaces the usual sentence for a code where the form knows better.
 */
function showError(form, error, { fieldFor = {}, messages = {} } = {}) {
  const { alert } = regionsOf(form)
  if (!(error instanceof ApiError)) {
    say(alert, 'Something went wrong in this page. Reload it and try again.', 'error')
    console.error(error)
    return
  }
  const sentence = messages[error.code] ?? messageFor(error)
  const fields = { ...error.fields }
  if (fieldFor[error.code]) fields[fieldFor[error.code]] = sentence
  let placed = false
  for (const [name, message] of Object.entries(fields)) {
    const input = form.elements.namedItem(name)
    if (!(input instanceof HTMLInputElement || input instanceof HTMLSelectElement)) continue
    const text = fieldFor[error.code] === name ? message : fieldMessage(labelOf(input), message)
    setFieldError(input, text)
    if (!placed) input.focus()
    placed = true
  }
  if (!placed) say(alert, sentence, 'error')
}

function clearErrors(form) {
  const { alert } = regionsOf(form)
  say(alert, '')
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) setFieldError(input, '')
}

/** Says something in the form's status region (a success, a note). */
export function formStatus(form, text, tone = 'success') {
  say(regionsOf(form).status, text, tone)
}

/**
 * Runs `submit` with the form's values when it is submitted: the button is disabled and a
 * progress line shown until it settles; errors are placed by `showError`. `submit` may answer a
 * sentence to show as the outcome.
 * @param {HTMLFormElement} form
 * @param {(values: Record<string, string>, form: HTMLFormElement) => Promise<string | void>} submit
 * @param {{ progress?: string, fieldFor?: Record<string, string>, messages?: Record<string, string> }} [options]
 */
export function handleForm(form, submit, { progress = 'Working…', fieldFor = {}, messages = {} } = {}) {
  const { status } = regionsOf(form)
  // The pages ship their submit buttons disabled: before this handler exists, a click would
  // submit the form natively, sending what was typed to the server as a plain form post.
  for (const button of form.querySelectorAll('button[type="submit"]')) button.disabled = false
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (form.getAttribute('aria-busy') === 'true') return
    clearErrors(form)
    const buttons = [...form.querySelectorAll('button')]
    for (const button of buttons) button.disabled = true
    form.setAttribute('aria-busy', 'true')
    say(status, progress, 'progress')
    try {
      const outcome = await submit(Object.fromEntries(new FormData(form)), form)
      say(status, outcome ?? '', 'success')
    } catch (error) {
      say(status, '')
      showError(form, error, { fieldFor, messages })
    } finally {
      form.removeAttribute('aria-busy')
      for (const button of buttons) button.disabled = false
    }
  })
}
