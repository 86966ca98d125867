import { Type } from '@sinclair/typebox'
import { Email, OpaqueToken, Password, Success, Timestamp } from './common.js'
import { UserSchema } from './user.js'

const FullName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$' })

/** Passwords already stored are checked as typed, whatever policy was in force when they were set. */
const AnyPassword = Type.String({ minLength: 1, maxLength: 256 })

export const SignupBody = Type.Object({ email: Email, password: Password, full_name: FullName })
export const LoginBody = Type.Object({ email: Email, password: AnyPassword })
export const RefreshBody = Type.Object({ refresh_token: Type.Optional(OpaqueToken) })
export const LogoutBody = Type.Object({ refresh_token: Type.Optional(OpaqueToken) })
export const ChangePasswordBody = Type.Object({ current_password: AnyPassword, new_password: Password })
export const TokenBody = Type.Object({ token: OpaqueToken })
export const EmailBody = Type.Object({ email: Email })
export const ResetPasswordBody = Type.Object({ token: OpaqueToken, new_password: Password })

export const TokenPair = {
  access_token: Type.String(),
  refresh_token: Type.Optional(Type.String({ description: 'Absent when the request asked for it as a cookie (X-Refresh-Cookie: 1)' })),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
}

export const SignupResponse = Success({
  message: Type.String(),
  email_sent: Type.Boolean(),
  auto_login: Type.Boolean(),
  user: Type.Optional(UserSchema),
  access_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.Literal('Bearer')),
  expires_in: Type.Optional(Type.Integer()),
})

export const SessionResponse = Success({ message: Type.String(), user: UserSchema, ...TokenPair })
export const TokensResponse = Success({ message: Type.String(), ...TokenPair })
export const UserResponse = Success({ user: UserSchema })
export const UserMessageResponse = Success({ message: Type.String(), user: UserSchema })
export const TokenCheckResponse = Success({ message: Type.String(), expires_at: Timestamp })
