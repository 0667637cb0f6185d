/**
 * Sessions: a signed token (JWT, HS256) that carries the user's name and uid for 24 hours.
 * The server never trusts a name from a client except at login; every later request proves
 * who it is with this token, as a bearer token or as the `session` cookie.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { unauthorized } from './errors';
import { header, isHttps, type HttpEvent } from './http';
import { sessionKey } from './session-key';

export const SESSION_SECONDS = 24 * 60 * 60;
export const COOKIE_NAME = 'session';

export interface Session {
  readonly uid: string;
  readonly name: string;
  /** ISO 8601 */
  readonly expiresAt: string;
}

/** The only header this server signs or accepts: no other algorithm, no `none`. */
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const UID = /^u_[0-9a-f]{16}$/;
const MAX_TOKEN_LENGTH = 1024;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function signature(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function newUid(): string {
  return `u_${randomBytes(8).toString('hex')}`;
}

export function signSession(key: Buffer, user: { uid: string; name: string }, nowMs = Date.now()): { token: string; session: Session } {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + SESSION_SECONDS;
  const payload = base64url(JSON.stringify({ sub: user.uid, name: user.name, iat, exp }));
  const signed = `${HEADER}.${payload}`;
  return {
    token: `${signed}.${base64url(signature(key, signed))}`,
    session: { uid: user.uid, name: user.name, expiresAt: new Date(exp * 1000).toISOString() },
  };
}

/** The session in a token, or 401 for anything forged, tampered, expired or malformed. */
export function verifySession(key: Buffer, token: string, nowMs = Date.now()): Session {
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('the session token is not valid');
  const [head, payload, sig, ...rest] = token.split('.');
  if (head !== HEADER || payload === undefined || sig === undefined || rest.length > 0) {
    throw unauthorized('the session token is not valid');
  }
  const expected = signature(key, `${head}.${payload}`);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || base64url(given) !== sig) {
    throw unauthorized('the session token is not valid');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw unauthorized('the session token is not valid');
  }
  const { sub, name, exp } = (claims ?? {}) as { sub?: unknown; name?: unknown; exp?: unknown };
  if (typeof sub !== 'string' || !UID.test(sub) || typeof name !== 'string' || typeof exp !== 'number') {
    throw unauthorized('the session token is not valid');
  }
  if (exp * 1000 <= nowMs) throw unauthorized('the session has expired: log in again');
  return { uid: sub, name, expiresAt: new Date(exp * 1000).toISOString() };
}

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

/** The caller's session, or 401. */
export async function requireSession(event: HttpEvent): Promise<Session> {
  const token = sessionToken(event);
  if (!token) throw unauthorized();
  return verifySession(await sessionKey(), token);
}

export function sessionCookie(event: HttpEvent, token: string): string {
  const secure = isHttps(event) ? '; Secure' : '';
  return `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/api; Max-Age=${SESSION_SECONDS}${secure}`;
}
