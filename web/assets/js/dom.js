/**
 * Builds elements from data without innerHTML, so no text from the API or the user is ever
 * parsed as markup.
 * @param {string} tag
 * @param {Record<string, any>} [attributes] `text` sets textContent, `on<Event>` adds a listener
 * @param {(Node | string | null | undefined | false)[]} [children]
 */
export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue
    if (name === 'text') node.textContent = String(value)
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value)
    else node.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child)
  return node
}

/** The element with this id; a page that lacks one is a bug, said plainly. */
export function byId(id) {
  const node = document.getElementById(id)
  if (!node) throw new Error(`#${id} is missing from the page`)
  return node
}

/** Shows a message in a live region (role=status or role=alert); empty text hides it. */
export function say(region, text, tone = 'info') {
  region.textContent = text
  region.dataset.tone = tone
  region.hidden = text === ''
}
