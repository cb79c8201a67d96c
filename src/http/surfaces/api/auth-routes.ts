import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/index.js';
import type { OpenedSession } from '../../../services/sessions/session-service.js';
import {
  AccountAnswer,
  ApiError,
  Credentials,
  EmailChangeBody,
  PasswordChangeBody,
  ResetConfirmBody,
  ResetRequestBody,
  SessionIdParams,
  SessionList,
  SessionState,
  SignedIn,
  SignupBody,
} from '../../contracts/auth.js';
import { requireAccount } from '../../plugins/session-account.js';
import { adoptSession, clearSessionCookie, clientInfo, csrfTokenOf, setSessionCookie } from '../../plugins/sessions.js';

const tags = ['auth'];
const refusals = { 400: ApiError, 401: ApiError, 403: ApiError, 429: ApiError };
const NoContent = { 204: { type: 'null', description: 'done' } } as const;

/**
 * `/api/session` and `/api/auth/*`: sign-up, sign-in, sign-out, the account's sessions, password and
 * email changes, password reset. Registered after installSessions, so `request.account` is set and the
 * CSRF guard has run; `preSession` routes are the forms used before there is a session.
 */
export async function authRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { sessions, passwordResets } = services;
  const preSession = { preSession: true };

  api.get('/api/session', { schema: { tags, summary: 'Who is signed in, the CSRF token, and whether sign-up is open', response: { 200: SessionState } } }, async (request) => ({
    account: request.account ? await sessions.account(request.account) : null,
    csrf_token: csrfTokenOf(request),
    signup: sessions.signupOpen ? ('open' as const) : ('closed' as const),
    password_reset_mail: passwordResets.mails,
  }));

  api.post('/api/auth/signup', { config: preSession, schema: { tags, summary: 'Create an account and sign in (403 when sign-up is closed)', body: SignupBody, response: { 201: SignedIn, ...refusals, 409: ApiError } } }, async (request, reply) => {
    const opened = await sessions.signup(request.body, clientInfo(request));
    await endPrevious(request, services);
    return reply.code(201).send(signedIn(request, reply, services, opened));
  });

  api.post('/api/auth/login', { config: preSession, schema: { tags, summary: 'Sign in; 401 for a wrong email or password alike, 429 with retry-after while throttled', body: Credentials, response: { 200: SignedIn, ...refusals } } }, async (request, reply) => {
    const opened = await sessions.login(request.body, clientInfo(request));
    await endPrevious(request, services);
    return signedIn(request, reply, services, opened);
  });

  api.post('/api/auth/logout', { schema: { tags, summary: 'End this session', response: { ...NoContent, 403: ApiError } } }, async (request, reply) => {
    if (request.account) await sessions.logout(request.account);
    clearSessionCookie(reply, services);
    return reply.code(204).send();
  });

  api.post('/api/auth/password', { schema: { tags, summary: 'Change the password; every other session ends', body: PasswordChangeBody, response: { ...NoContent, ...refusals } } }, async (request, reply) => {
    await sessions.changePassword(requireAccount(request), request.body, clientInfo(request));
    return reply.code(204).send();
  });

  api.post('/api/auth/email', { schema: { tags, summary: 'Change the email (needs the password)', body: EmailChangeBody, response: { 200: AccountAnswer, ...refusals, 409: ApiError } } }, async (request) => ({
    account: await sessions.changeEmail(requireAccount(request), request.body, clientInfo(request)),
  }));

  api.get('/api/auth/sessions', { schema: { tags, summary: "The account's live sessions", response: { 200: SessionList, 401: ApiError } } }, async (request) => ({
    data: await sessions.listSessions(requireAccount(request)),
  }));

  api.post('/api/auth/sessions/revoke-others', { schema: { tags, summary: 'End every other session of the account', response: { ...NoContent, ...refusals } } }, async (request, reply) => {
    await sessions.revokeOtherSessions(requireAccount(request));
    return reply.code(204).send();
  });

  api.delete('/api/auth/sessions/:id', { schema: { tags, summary: 'End one of the account’s sessions (another’s id: 404)', params: SessionIdParams, response: { ...NoContent, ...refusals, 404: ApiError } } }, async (request, reply) => {
    const account = requireAccount(request);
    await sessions.revokeSession(account, request.params.id);
    if (request.params.id === account.sessionId) clearSessionCookie(reply, services);
    return reply.code(204).send();
  });

  api.post('/api/auth/password-reset/request', { config: preSession, schema: { tags, summary: 'Mail a reset link (when SMTP is set); 202 whether or not the email has an account', body: ResetRequestBody, response: { 202: { type: 'null' }, 400: ApiError, 403: ApiError } } }, async (request, reply) => {
    await passwordResets.request(request.body.email);
    return reply.code(202).send();
  });

  api.post('/api/auth/password-reset/confirm', { config: preSession, schema: { tags, summary: 'Set a new password with a reset link’s token (once, within an hour); every session ends', body: ResetConfirmBody, response: { ...NoContent, 400: ApiError, 403: ApiError } } }, async (request, reply) => {
    await passwordResets.confirm(request.body);
    clearSessionCookie(reply, services);
    return reply.code(204).send();
  });
}

/** Signing in again from a browser with a session ends that session: one browser, one live session. */
async function endPrevious(request: FastifyRequest, services: Services): Promise<void> {
  if (request.account) await services.sessions.logout(request.account);
}

/** The cookie for a session just opened, and the answer with its CSRF token. */
function signedIn(request: FastifyRequest, reply: FastifyReply, services: Services, opened: OpenedSession) {
  setSessionCookie(reply, services, opened.token);
  adoptSession(request, opened.csrfSecret);
  return { account: opened.account, csrf_token: csrfTokenOf(request)! };
}
