import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Iso } from './common.js';

/**
 * The dashboard's sign-in API (`/api/session`, `/api/auth/*`): bodies and answers. A session is a cookie
 * (`tg_session`, HttpOnly, SameSite=Lax); every state-changing request with a session sends the
 * session's CSRF token (from `GET /api/session` or a login's answer) as `x-csrf-token`. Sign-in, sign-up
 * and the password reset forms (no session yet) must come from the gateway's own origin.
 */

const Email = Type.String({ minLength: 3, maxLength: 320 });
/** A new password: 8 to 200 characters. */
const NewPassword = Type.String({ minLength: 8, maxLength: 200 });
/** A password being checked: any length the form allows (the policy is not told to a guesser). */
const GivenPassword = Type.String({ minLength: 1, maxLength: 200 });

/** Every refusal, in the OpenAI error shape the rest of the gateway uses. */
export const ApiError = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    code: Nullable(Type.String()),
    param: Nullable(Type.String()),
  }),
});
export type ApiError = Static<typeof ApiError>;

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
export type Role = Static<typeof Role>;

export const Account = Type.Object({ id: Type.String(), email: Type.String(), role: Role, created_at: Iso });
export type Account = Static<typeof Account>;

export const SignupMode = Type.Union([Type.Literal('open'), Type.Literal('closed')]);
export type SignupMode = Static<typeof SignupMode>;

export const SessionState = Type.Object({
  account: Nullable(Account),
  /** Send as `x-csrf-token` with every POST/PUT/PATCH/DELETE; null without a session. */
  csrf_token: Nullable(Type.String()),
  signup: SignupMode,
  /** Whether "forgot password" mails a link (SMTP is configured); otherwise the operator issues links. */
  password_reset_mail: Type.Boolean(),
});
export type SessionState = Static<typeof SessionState>;

export const Credentials = Type.Object({ email: Email, password: GivenPassword }, { additionalProperties: false });
export type Credentials = Static<typeof Credentials>;

export const SignupBody = Type.Object({ email: Email, password: NewPassword }, { additionalProperties: false });
export type SignupBody = Static<typeof SignupBody>;

/** A new session's answer: the account and the session's CSRF token. */
export const SignedIn = Type.Object({ account: Account, csrf_token: Type.String() });
export type SignedIn = Static<typeof SignedIn>;

export const PasswordChangeBody = Type.Object({ current_password: GivenPassword, new_password: NewPassword }, { additionalProperties: false });
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

export const EmailChangeBody = Type.Object({ password: GivenPassword, email: Email }, { additionalProperties: false });
export type EmailChangeBody = Static<typeof EmailChangeBody>;

export const AccountAnswer = Type.Object({ account: Account });
export type AccountAnswer = Static<typeof AccountAnswer>;

export const SessionInfo = Type.Object({
  id: Type.String(),
  created_at: Iso,
  last_seen_at: Iso,
  expires_at: Iso,
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  /** The session this request came with. */
  current: Type.Boolean(),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const SessionList = Type.Object({ data: Type.Array(SessionInfo) });
export type SessionList = Static<typeof SessionList>;

export const SessionIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type SessionIdParams = Static<typeof SessionIdParams>;

export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });
export type ResetRequestBody = Static<typeof ResetRequestBody>;

export const ResetConfirmBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: NewPassword }, { additionalProperties: false });
export type ResetConfirmBody = Static<typeof ResetConfirmBody>;
