import { createServer, type Socket } from 'node:net'
import { listenOnFreePort } from '../helpers/ports.js'

/**
 * A TCP listener that plays a broken database: `silent` accepts and never answers a byte,
 * `close` accepts and hangs up at once.
 */
export async function startBlackhole(mode: 'silent' | 'close') {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    if (mode === 'close') return void socket.destroy()
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await listenOnFreePort(server)
  return {
    port,
    /** How many connections it has accepted and still holds. */
    get open() {
      return sockets.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
