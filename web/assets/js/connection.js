import { byId, say } from './dom.js'

/**
 * One line that says when the service cannot be reached, and goes away when it answers again.
 * Sections report each call's outcome here instead of each showing its own banner.
 */
export const connection = {
  lost() {
    say(byId('connection'), 'The connection to the service was lost. Retrying every few seconds…', 'warning')
  },
  ok() {
    say(byId('connection'), '')
  },
  /** Reports the outcome of a background call; answers true when it was a network failure. */
  report(error) {
    if (error?.code === 'NETWORK_ERROR' || error?.code === 'SERVICE_UNAVAILABLE') {
      this.lost()
      return true
    }
    return false
  },
}
