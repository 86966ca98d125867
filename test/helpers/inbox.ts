import { SMTPServer } from 'smtp-server'
import { listenOnFreePort } from './ports.js'

export interface CapturedEmail {
  to: string[]
  raw: string
  subject: string
  /** The first link in the body, if any. */
  link: string | undefined
  /** The `token` query parameter of that link, if any. */
  token: string | undefined
}

/** A real SMTP server the test owns: the app sends to it over SMTP, the test reads what arrived. */
export async function startInbox() {
  const messages: CapturedEmail[] = []
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        // Quoted-printable soft line breaks would split long links.
        const body = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
        const link = /https?:\/\/[^\s"<>]+/.exec(body)?.[0]
        const token = link ? (new URL(link).searchParams.get('token') ?? undefined) : undefined
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? ''
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, subject, link, token })
        waiters.splice(0).forEach((w) => w())
        callback()
      })
    },
  })
  // SMTPServer re-emits its socket's errors; a port found taken is retried, not fatal.
  server.on('error', () => {})
  const port = await listenOnFreePort(server.server)

  /** Resolves with the first message matching, waiting for it to arrive if need be. */
  async function waitFor(match: (m: CapturedEmail) => boolean, timeoutMs = 5_000): Promise<CapturedEmail> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find(match)
      if (found) return found
      if (Date.now() > deadline) throw new Error('expected email did not arrive')
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor,
    to: (address: string) => messages.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type Inbox = Awaited<ReturnType<typeof startInbox>>
