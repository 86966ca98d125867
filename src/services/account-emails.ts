import type { Email } from './mailer.js'

/** The texts of the emails the account system sends. Links are built from APP_URL only. */
export function accountEmails(appUrl: string) {
  const link = (path: string, token: string) => `${appUrl}${path}?token=${encodeURIComponent(token)}`
  return {
    verification(to: string, token: string): Email {
      const url = link('/verify-email', token)
      return {
        to,
        subject: 'Confirm your Fetcha Weather email address',
        text: `Welcome to Fetcha Weather.\n\nConfirm your email address by opening this link within 24 hours:\n\n${url}\n\nIf you did not sign up, ignore this email.\n`,
        link: url,
      }
    },
    passwordReset(to: string, token: string): Email {
      const url = link('/reset-password', token)
      return {
        to,
        subject: 'Reset your Fetcha Weather password',
        text: `Someone asked to reset the password of this Fetcha Weather account.\n\nChoose a new password by opening this link within one hour:\n\n${url}\n\nIf it was not you, ignore this email; your password stays as it is.\n`,
        link: url,
      }
    },
    accountExists(to: string): Email {
      return {
        to,
        subject: 'Someone tried to sign up with your email address',
        text: `Someone tried to create a Fetcha Weather account with this email address, which already has one.\n\nIf it was you, log in instead, or reset your password at ${appUrl}/forgot-password.\nIf it was not you, you can ignore this email.\n`,
      }
    },
  }
}
