/**
 * Reads the `token` of an emailed link and removes it from the address bar at once, so it is not
 * left in the history, a bookmark or a screenshot. The pages send no referrer either.
 */
export function takeTokenFromAddress() {
  const url = new URL(location.href)
  const token = url.searchParams.get('token')
  if (token !== null) {
    url.searchParams.delete('token')
    history.replaceState(null, '', url.pathname + url.search + url.hash)
  }
  return token?.trim() || null
}
