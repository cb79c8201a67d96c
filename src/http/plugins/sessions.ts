import fastifyCookie from '@fastify/cookie';
import Tokens from '@fastify/csrf';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { Services } from '../../services/index.js';
import { LoginThrottledError } from '../../services/sessions/login-throttle.js';
import type { ClientInfo } from '../../services/sessions/session-service.js';
import { clientAddress } from './client-address.js';
import './session-account.js';

export const SESSION_COOKIE = 'tg_session';
const CSRF_HEADER = 'x-csrf-token';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A form used before there is a session (sign-in, sign-up, password reset): guarded by the origin check, not a CSRF token. */
    preSession?: boolean;
  }
}

const tokens = Tokens();
/** Each request's session CSRF secret, kept off the request object the handlers see. */
const csrfSecrets = new WeakMap<FastifyRequest, string>();

/** A refusal by the CSRF guard. */
export const csrfRefused = () => new GatewayError('TG_ERR_FORBIDDEN', 'CSRF token missing or invalid.');

/**
 * The dashboard's sessions on every `/api` request: the `tg_session` cookie is checked against its
 * server-side row (services.sessions), `request.account` set (null without a live session), and every
 * state-changing request guarded against cross-site forgery — with a session, by `x-csrf-token` (valid
 * for that session's secret only) and a same-origin `Origin` when one is sent; before a session (the
 * `preSession` forms), by a same-origin `Origin` (or `Sec-Fetch-Site: same-origin`) and a JSON body.
 */
export async function installSessions(scope: FastifyInstance, services: Services): Promise<void> {
  await scope.register(fastifyCookie);
  scope.decorateRequest('account', null);
  scope.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    const session = await services.sessions.validate(token);
    request.account = session?.account ?? null;
    if (session) {
      csrfSecrets.set(request, session.csrfSecret);
      if (session.renewed) setSessionCookie(reply, services, token!);
    } else if (token !== undefined) {
      clearSessionCookie(reply, services);
    }
    if (STATE_CHANGING.has(request.method)) guardForgery(request, services);
  });
  // A throttled password check (sign-in, password or email change) says when to come back.
  scope.addHook('onError', async (_request, reply, error) => {
    if (error instanceof LoginThrottledError) void reply.header('retry-after', String(error.retryAfterSeconds));
  });
}

function guardForgery(request: FastifyRequest, services: Services): void {
  const secret = csrfSecrets.get(request);
  if (request.routeOptions.config.preSession) {
    if (!sameOrigin(request, services, true) || !isJson(request)) throw csrfRefused();
    return;
  }
  if (secret === undefined) return; // no session: nothing to forge; the handler answers 401
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || !tokens.verify(secret, token) || !sameOrigin(request, services, false)) throw csrfRefused();
}

/** Whether the request came from the gateway's own pages; `strict`: a request naming no origin at all is refused too. */
function sameOrigin(request: FastifyRequest, services: Services, strict: boolean): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === ownOrigin(request) || origin === services.passwordResets.publicOrigin;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return !strict;
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/json\b/i.test(request.headers['content-type'] ?? '');
}

/** `scheme://host[:port]` as this request reached the gateway (behind TRUST_PROXY, as the proxy says). */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The CSRF token of this request's session (a new one each call; all stay valid for the session), or null. */
export function csrfTokenOf(request: FastifyRequest): string | null {
  const secret = csrfSecrets.get(request);
  return secret === undefined ? null : tokens.create(secret);
}

/** Gives the request the session just opened, so the answer can carry its CSRF token. */
export function adoptSession(request: FastifyRequest, csrfSecret: string): void {
  csrfSecrets.set(request, csrfSecret);
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, address: clientAddress(request.ip), userAgent };
}

/** Sets the cookie for a session just opened or renewed: it lives as long as the session's sliding expiry. */
export function setSessionCookie(reply: FastifyReply, services: Services, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, { ...cookieAttributes(reply.request, services), maxAge: Math.floor(services.sessions.ttlMs / 1000) });
}

export function clearSessionCookie(reply: FastifyReply, services: Services): void {
  void reply.clearCookie(SESSION_COOKIE, cookieAttributes(reply.request, services));
}

function cookieAttributes(request: FastifyRequest, services: Services) {
  const policy = services.sessionCookieSecure;
  const secure = policy === 'on' || (policy === 'auto' && request.protocol === 'https');
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
}
