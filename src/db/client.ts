import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { lockEmbeddedDirectory } from './embedded-lock.js'
import { embeddedDatabaseOptions, keepWasmBaselineCompiled } from './embedded-memory.js'
import * as schema from './schema/index.js'

export type Schema = typeof schema
/** The Drizzle database, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>

export interface DatabaseHandle {
  db: Database
  kind: 'postgres' | 'pglite'
  /** Round trip to the server; rejects when it is unreachable. */
  ping(): Promise<void>
  /**
   * LISTENs on `channel` for as long as the handle is open, re-subscribing after a lost
   * connection; resolves after the first attempt, whether or not it succeeded. `onListening(false)` says notifications may be missed from now on;
   * `onListening(true)` that they arrive (anything sent before was lost).
   */
  listen(channel: string, handlers: ChannelHandlers): Promise<void>
  close(): Promise<void>
}

export interface ChannelHandlers {
  onNotify(payload: string): void
  onListening(listening: boolean): void
}

/** How long to wait before listening again after the listening connection was lost. */
const RELISTEN_DELAY_MS = 1_000

export interface PostgresOptions {
  url: string
  poolSize: number
  connectTimeoutSeconds: number
  statementTimeoutMs: number
}

/** What every connection of ours needs to live through a database outage. */
function outageSafe(options: PostgresOptions) {
  return {
    // postgres.js waits 30 s by default for a server that accepted TCP but never answers.
    connect_timeout: options.connectTimeoutSeconds,
    // After failed attempts a connection waits before trying again; postgres.js lets that grow to
    // 20 s, which is how long the service would stay unavailable after the database is back.
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 1),
    // The type catalogue query it runs on each new connection rejects unhandled when that
    // connection is lost before the answer, which ends the process (porsager/postgres#1192).
    // No column here is an array, so the catalogue is not needed.
    fetch_types: false,
    onnotice: () => {},
  }
}

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const client = postgres(options.url, {
    ...outageSafe(options),
    max: options.poolSize,
    idle_timeout: 30,
    connection: {
      statement_timeout: options.statementTimeoutMs,
      application_name: 'fetcha-weather',
    },
  })
  settleTransactionsOnLostConnections(client)
  const db = drizzlePostgres(client, { schema })
  const listeners: { close(): Promise<void> }[] = []
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await client`select 1`
    },
    listen: async (channel, handlers) => {
      listeners.push(await listenPostgres(options, channel, handlers))
    },
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()))
      await client.end({ timeout: 5 })
    },
  }
}

/**
 * When a transaction's connection is lost, postgres.js 3.4.9 rejects the transaction, but its
 * callback's failure then makes it write ROLLBACK (or COMMIT) to the closed socket from a timer,
 * which throws outside any promise and ends the process (porsager/postgres#1208). The callback
 * is left pending in that case instead, so nothing more is written; a callback's failure while
 * its connection lives is passed on as before.
 */
function settleTransactionsOnLostConnections(client: postgres.Sql): void {
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>
  client.begin = ((...args: unknown[]) => {
    const callback = args.pop() as (tx: postgres.TransactionSql) => unknown
    let connectionLost = false
    const transaction = begin(...args, async (tx: postgres.TransactionSql) => {
      let result: unknown
      try {
        const value = callback(tx)
        result = await (Array.isArray(value) ? Promise.all(value) : value)
      } catch (error) {
        // The close rejects the transaction in the same turn as the query: let that be seen.
        await nextTurn()
        if (connectionLost) return new Promise<never>(() => {})
        throw error
      }
      return connectionLost ? new Promise<never>(() => {}) : result
    })
    // Before the callback has failed, the transaction rejects only when its connection closes.
    transaction.catch(() => (connectionLost = true))
    return transaction
  }) as postgres.Sql['begin']
}

/**
 * A connection of its own that holds the LISTEN. postgres.js's `listen()` re-subscribes once
 * when its connection closes but gives up if the server is still away, so the retry is ours.
 */
async function listenPostgres(options: PostgresOptions, channel: string, handlers: ChannelHandlers) {
  let closed = false
  let retry: NodeJS.Timeout | undefined
  // postgres.js hands every notification to this option; its type declarations leave it out.
  const notifications = {
    onnotify: (name: string, payload: string) => {
      if (name === channel) handlers.onNotify(payload)
    },
  }
  const connection = postgres(options.url, {
    ...notifications,
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    ...outageSafe(options),
    onclose: () => {
      if (closed) return
      handlers.onListening(false)
      schedule()
    },
    connection: { application_name: 'fetcha-weather-listen' },
  })
  // One attempt at a time: against a server that accepts and hangs up, the driver retries an
  // attempt's connection by itself, for as long as it takes.
  let attempt: Promise<void> | undefined
  const subscribe = (): Promise<void> => {
    attempt ??= connection
      .unsafe(`listen "${channel.replace(/"/g, '""')}"`)
      .then(() => {
        if (!closed) handlers.onListening(true)
      })
      .catch(() => schedule())
      .finally(() => {
        attempt = undefined
      })
    return attempt
  }
  const schedule = () => {
    if (closed) return
    clearTimeout(retry)
    retry = setTimeout(() => void subscribe(), RELISTEN_DELAY_MS)
    retry.unref()
  }
  // A database that is away at startup does not hold the start up: caches stay unused until an
  // attempt succeeds. The first one is awaited, for a bounded time, so that a healthy start caches
  // at once.
  let bound: NodeJS.Timeout | undefined
  await Promise.race([subscribe(), new Promise<void>((resolve) => (bound = setTimeout(resolve, options.connectTimeoutSeconds * 1000 + 500)))])
  clearTimeout(bound)
  return {
    close: async () => {
      closed = true
      clearTimeout(retry)
      await connection.end({ timeout: 2 })
    },
  }
}

/**
 * Embedded PostgreSQL, in-process. `owned`: closing the handle closes the database too; a
 * database shared by several handles (tests) stays open for its owner to close.
 */
export function openPglite(client: PGlite, { owned = true }: { owned?: boolean } = {}): DatabaseHandle {
  const db = drizzlePglite(client, { schema })
  const unlisteners: (() => Promise<void>)[] = []
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`)
    },
    // In-process: the connection cannot be lost, so it listens from the start and for good.
    listen: async (channel, handlers) => {
      unlisteners.push(await client.listen(channel, (payload) => handlers.onNotify(payload)))
      handlers.onListening(true)
    },
    close: async () => {
      if (client.closed) return
      await Promise.all(unlisteners.map((unlisten) => unlisten()))
      if (owned) await client.close()
    },
  }
}

/**
 * The embedded database kept under DATA_DIR when no DATABASE_URL is set, held by this process
 * until it is closed (see embedded-lock.ts).
 */
export function embeddedDatabase(dataDir: string): PGlite {
  const dir = join(dataDir, 'pglite')
  mkdirSync(dir, { recursive: true })
  const release = lockEmbeddedDirectory(dir)
  keepWasmBaselineCompiled()
  const client = new PGlite(dir, embeddedDatabaseOptions())
  const close = client.close.bind(client)
  client.close = async () => {
    if (client.closed) return
    try {
      await close()
    } finally {
      release()
    }
  }
  return client
}
