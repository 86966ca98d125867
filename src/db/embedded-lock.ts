import { readFileSync, rmSync, writeFileSync } from 'node:fs'

/**
 * PGlite runs PostgreSQL inside the process that opened it: a second process opening the same
 * directory works on its own copy in memory, and whatever it writes is lost or corrupts the
 * files. So a directory is held by one process at a time, named by its pid in a lock file.
 */
export class DatabaseInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number,
  ) {
    super(
      `the embedded database in ${directory} is in use by another process (pid ${holderPid}), ` +
        'most likely the running service. Stop it first, then run this again; or set DATABASE_URL ' +
        'to a PostgreSQL database, which the service and scripts can share.',
    )
    this.name = 'DatabaseInUseError'
  }
}

/** Whether a process with this pid is running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function holderOf(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the directory's lock for this process, taking over a lock whose holder has died;
 * answers the function that releases it (also run at exit). Throws DatabaseInUseError when a
 * live process holds it.
 */
export function lockEmbeddedDirectory(directory: string): () => void {
  const lockPath = `${directory}.lock`
  const release = () => {
    if (holderOf(lockPath) === process.pid) rmSync(lockPath, { force: true })
    process.off('exit', release)
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' })
      process.on('exit', release)
      return release
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = holderOf(lockPath)
    if (holder !== undefined && isAlive(holder)) throw new DatabaseInUseError(directory, holder)
    // The holder died without releasing it (or the file is unreadable): the lock is stale.
    rmSync(lockPath, { force: true })
  }
  throw new DatabaseInUseError(directory, holderOf(lockPath) ?? 0)
}
