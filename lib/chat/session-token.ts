/**
 * Session tokens: a signed token (JWT, HS256) that carries the user's name and uid for 24
 * hours. The server never trusts a name from a client except at login; every later request
 * proves who it is with this token (how it travels is the HTTP edge's business).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_SECONDS = 24 * 60 * 60;

/** A token that is forged, tampered with, malformed or expired; the message says which, for the caller. */
export class SessionRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionRejected';
  }
}

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

export function signSession(
  key: Buffer,
  user: { uid: string; name: string },
  nowMs = Date.now(),
): { token: string; session: Session } {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + SESSION_SECONDS;
  // jti: two sessions of one person made in the same second are still two tokens, so that
  // logging one out leaves the other (a device link gives the same uid and name).
  const jti = randomBytes(12).toString('base64url');
  const payload = base64url(JSON.stringify({ sub: user.uid, name: user.name, iat, exp, jti }));
  const signed = `${HEADER}.${payload}`;
  return {
    token: `${signed}.${base64url(signature(key, signed))}`,
    session: { uid: user.uid, name: user.name, expiresAt: new Date(exp * 1000).toISOString() },
  };
}

/** The session in a token; SessionRejected for anything forged, tampered, expired or malformed. */
export function verifySession(key: Buffer, token: string, nowMs = Date.now()): Session {
  if (token.length > MAX_TOKEN_LENGTH) throw new SessionRejected('the session token is not valid');
  const [head, payload, sig, ...rest] = token.split('.');
  if (head !== HEADER || payload === undefined || sig === undefined || rest.length > 0) {
    throw new SessionRejected('the session token is not valid');
  }
  const expected = signature(key, `${head}.${payload}`);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || base64url(given) !== sig) {
    throw new SessionRejected('the session token is not valid');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new SessionRejected('the session token is not valid');
  }
  const { sub, name, exp } = (claims ?? {}) as { sub?: unknown; name?: unknown; exp?: unknown };
  if (typeof sub !== 'string' || !UID.test(sub) || typeof name !== 'string' || typeof exp !== 'number') {
    throw new SessionRejected('the session token is not valid');
  }
  if (exp * 1000 <= nowMs) throw new SessionRejected('the session has expired: log in again');
  return { uid: sub, name, expiresAt: new Date(exp * 1000).toISOString() };
}
