import type { Server } from 'node:net'

// Ports above 32767 are the kernel's range for outgoing connections; listening there collides.
const LOW = 20_000
const HIGH = 32_000

/** Listens on a random free port below the ephemeral range and answers it. */
export async function listenOnFreePort(server: Server, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening)
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false)
        else throw error
      }
      const onListening = () => {
        server.off('error', onError)
        resolve(true)
      }
      server.once('error', onError)
      server.once('listening', onListening)
      server.listen(port, host)
    })
    if (ok) return port
  }
  throw new Error('no free port found')
}
