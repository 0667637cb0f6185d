/**
 * How a session travels over HTTP: as `Authorization: Bearer <token>` or as the `session`
 * cookie (HttpOnly, SameSite=Strict, Path=/api, Secure over HTTPS).
 */
import { SESSION_SECONDS, SessionRejected, verifySession, type Session } from '#chat/session-token';
import type { SessionKeySource } from '#aws/session-key';
import type { Revocations } from '#chat/revocations';
import { unauthorized } from './errors';
import { header, isHttps, type HttpEvent } from './request';

export const COOKIE_NAME = 'session';

/** The token of a request: the bearer token if there is one, else the session cookie. */
export function sessionToken(event: HttpEvent): string | undefined {
  const authorization = header(event, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? '';
  }
  for (const cookie of event.cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0 && cookie.slice(0, eq).trim() === COOKIE_NAME) return cookie.slice(eq + 1).trim();
  }
  return undefined;
}

/** The caller's session, or 401 (also for a session that was logged out). */
export async function requireSession(
  event: HttpEvent,
  sessionKey: SessionKeySource,
  revocations: Revocations,
): Promise<Session & { readonly token: string }> {
  const token = sessionToken(event);
  if (!token) throw unauthorized();
  const key = await sessionKey();
  let session: Session;
  try {
    session = verifyRemembered(key, token);
  } catch (error) {
    if (error instanceof SessionRejected) throw unauthorized(error.message);
    throw error;
  }
  if (await revocations.isRevoked(token)) throw unauthorized('this session was logged out: log in again');
  return { ...session, token };
}

/** Tokens this process has verified, per key, until they expire: a poll a second need not redo the HMAC. */
const verified = new WeakMap<Buffer, Map<string, { readonly session: Session; readonly expiresMs: number }>>();
const MAX_REMEMBERED = 10_000;

function verifyRemembered(key: Buffer, token: string, nowMs = Date.now()): Session {
  let known = verified.get(key);
  if (!known) {
    known = new Map();
    verified.set(key, known);
  }
  const hit = known.get(token);
  if (hit && hit.expiresMs > nowMs) return hit.session;
  known.delete(token);
  const session = verifySession(key, token, nowMs); // throws for anything not valid now: never remembered
  known.set(token, { session, expiresMs: Date.parse(session.expiresAt) });
  if (known.size > MAX_REMEMBERED) known.delete(known.keys().next().value as string);
  return session;
}

/** The cookie that ends the session cookie in the browser. */
export function clearedSessionCookie(event: HttpEvent): string {
  const secure = isHttps(event) ? '; Secure' : '';
  return `${COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/api; Max-Age=0${secure}`;
}

export function sessionCookie(event: HttpEvent, token: string): string {
  const secure = isHttps(event) ? '; Secure' : '';
  return `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/api; Max-Age=${SESSION_SECONDS}${secure}`;
}
