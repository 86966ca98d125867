import { connect, createServer, type Socket } from 'node:net'
import { listenOnFreePort } from './ports.js'

/**
 * A TCP proxy in front of a real service (Redis, PostgreSQL, anything over TCP), for tests that
 * need that service to fail and recover while the application keeps running. Outages are
 * simulated here, never on the service itself, because the real service is shared with other
 * tests and other runs.
 *
 * ```ts
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 })
 * t.teardown(() => proxy.close())
 * // point the app at redis://127.0.0.1:${proxy.port}
 * proxy.down()      // drops every open connection; new ones are accepted and closed at once
 * proxy.up()        // new connections are forwarded again (clients must reconnect themselves)
 * proxy.setDelay(500) // every forwarded chunk, both directions, arrives 500 ms late
 * ```
 */
export interface TcpProxy {
  /** Where the proxy listens, on 127.0.0.1 (always below the ephemeral range). */
  readonly port: number
  /** Forwards new connections again. Connections cut by `down()` stay cut. */
  up(): void
  /**
   * Destroys every open connection (the client side and its upstream), and from now on accepts
   * each new connection and closes it immediately, the way a crashed or restarting service looks
   * to a client that still reaches the host.
   */
  down(): void
  /**
   * Delays every forwarded chunk by `ms`, in both directions, keeping their order; 0 forwards
   * at once. Applies to chunks received from now on, on open and future connections.
   */
  setDelay(ms: number): void
  /** Destroys every connection and stops listening. */
  close(): Promise<void>
  /** Connections currently forwarded (client and upstream both open or opening). */
  readonly connections: number
}

interface Pair {
  client: Socket
  upstream: Socket
  timers: Set<NodeJS.Timeout>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let isUp = true
  let delayMs = 0

  const drop = (pair: Pair) => {
    if (!pairs.delete(pair)) return
    for (const timer of pair.timers) clearTimeout(timer)
    pair.timers.clear()
    pair.client.destroy()
    pair.upstream.destroy()
  }

  /**
   * Copies `from` into `to`. Chunks wait in a queue when delayed, so that a later chunk never
   * overtakes an earlier one even if the delay changes in between; the end of the stream is
   * queued like a chunk for the same reason.
   */
  const forward = (pair: Pair, from: Socket, to: Socket) => {
    const queue: { chunk: Buffer | null; at: number }[] = []
    let timer: NodeJS.Timeout | undefined

    const deliver = (chunk: Buffer | null) => {
      if (to.destroyed) return
      if (chunk === null) return void to.end()
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    }
    const pump = () => {
      const head = queue[0]
      if (!head || timer) return
      timer = setTimeout(() => {
        pair.timers.delete(timer!)
        timer = undefined
        const now = Date.now()
        while (queue[0] && queue[0].at <= now) deliver(queue.shift()!.chunk)
        pump()
      }, Math.max(0, head.at - Date.now()))
      pair.timers.add(timer)
    }
    const push = (chunk: Buffer | null) => {
      if (delayMs <= 0 && queue.length === 0) return deliver(chunk)
      queue.push({ chunk, at: Date.now() + delayMs })
      pump()
    }

    from.on('data', (chunk: Buffer) => push(chunk))
    from.on('end', () => push(null))
  }

  const server = createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => {})
    if (!isUp) return void client.destroy()

    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true })
    upstream.on('error', () => {})
    const pair: Pair = { client, upstream, timers: new Set() }
    pairs.add(pair)
    forward(pair, client, upstream)
    forward(pair, upstream, client)
    // A socket that closes (after both halves ended, or on error) takes its partner with it.
    client.on('close', () => drop(pair))
    upstream.on('close', () => drop(pair))
  })

  const port = await listenOnFreePort(server)

  return {
    port,
    up() {
      isUp = true
    },
    down() {
      isUp = false
      for (const pair of [...pairs]) drop(pair)
    },
    setDelay(ms: number) {
      delayMs = Math.max(0, ms)
    },
    close() {
      isUp = false
      for (const pair of [...pairs]) drop(pair)
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
    get connections() {
      return pairs.size
    },
  }
}
