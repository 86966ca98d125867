import { setFlagsFromString } from 'node:v8'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'

/**
 * PostgreSQL's buffer pool for the embedded database. initdb sizes it at 128 MB for a server
 * with memory to spare; inside this process every page of it is resident, next to the service's
 * own heap. The operating system's page cache still holds the data files, so a small pool costs
 * little speed: the service's tables are a few MB until the usage log grows, and a deployment
 * whose data outgrows this is one for DATABASE_URL.
 */
export const EMBEDDED_SHARED_BUFFERS = '8MB'

/**
 * V8 compiles PostgreSQL's WebAssembly (9 MB) with its baseline compiler, then recompiles the
 * functions a workload runs hot with its optimizing one and keeps both: ~40 MiB more resident on
 * the metered route, for ~9 % more requests a second. The service on the embedded database is
 * the small deployment, where memory is the scarcer of the two. Set before the module is compiled.
 */
export function keepWasmBaselineCompiled(): void {
  setFlagsFromString('--liftoff-only')
}

/** Options for every embedded database this service opens on disk. */
export function embeddedDatabaseOptions(): PGliteOptions {
  return {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  }
}
