import nodemailer from 'nodemailer'
import type { FastifyBaseLogger } from 'fastify'

export interface Email {
  to: string
  subject: string
  text: string
  /** The one link the email exists for (verification, reset), shown in development logs. */
  link?: string
}

export interface Mailer {
  /** Queues the email and returns at once; a failed send is logged, never thrown. */
  send(email: Email): void
  /** Resolves when every queued email has been handed to the transport (or failed). */
  drain(): Promise<void>
  close(): Promise<void>
}

export interface MailerOptions {
  smtpUrl: string | undefined
  from: string
  /** Without SMTP, development logs carry the link so it can be clicked; production logs never do. */
  logLinks: boolean
  log: FastifyBaseLogger
}

export function createMailer(options: MailerOptions): Mailer {
  const pending = new Set<Promise<void>>()
  const transport = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      } as Parameters<typeof nodemailer.createTransport>[0])
    : undefined

  async function deliver(email: Email): Promise<void> {
    if (!transport) {
      options.log.info(
        { mail: { to: email.to, subject: email.subject, ...(options.logLinks && email.link ? { link: email.link } : {}) } },
        'email not sent: SMTP_URL is not set',
      )
      return
    }
    try {
      await transport.sendMail({ from: options.from, to: email.to, subject: email.subject, text: email.text })
    } catch (error) {
      options.log.error({ err: { message: (error as Error).message, code: (error as { code?: string }).code }, subject: email.subject }, 'email send failed')
    }
  }

  return {
    send(email) {
      const job = deliver(email).finally(() => pending.delete(job))
      pending.add(job)
    },
    async drain() {
      await Promise.all(pending)
    },
    async close() {
      await Promise.all(pending)
      transport?.close()
    },
  }
}
