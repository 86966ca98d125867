import type { Config } from './config.js'
import { listenUrl } from './config.js'

function whereDataLives(config: Config): string {
  if (!config.databaseUrl) return `embedded PostgreSQL in ${config.dataDir}/pglite`
  const url = new URL(config.databaseUrl)
  // Host and database only: the URL may hold a password.
  return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`
}

function whichMail(config: Config): string {
  if (!config.smtpUrl) return 'not sent (SMTP_URL unset): each email and its link is written to this log'
  const url = new URL(config.smtpUrl)
  return `SMTP via ${url.hostname}${url.port ? `:${url.port}` : ''}`
}

/** The one line start-up prints: where to go, and what the service is working with. */
export function startupLine(config: Config, port: number): string {
  const base = listenUrl(config.host, port)
  return `Fetcha Weather is running at ${base}/ · API docs ${base}/docs · data: ${whereDataLives(config)} · mail: ${whichMail(config)}`
}
