/**
 * requireSession remembers the tokens it verified, so a page polling every second costs one
 * HMAC per process, not one per poll; what it remembers must never outlive the token.
 */
import { randomBytes } from 'node:crypto';
import { SESSION_SECONDS, signSession } from '#chat/session-token';
import { requireSession } from '#http/authenticate';
import type { Revocations } from '#chat/revocations';
import { ApiError } from '#http/errors';
import { apiEvent } from '#test/support/app';

const key = randomBytes(32);
const sessionKey = async () => key;
const withToken = (token: string) => apiEvent('GET', '/api/session', { token });

afterEach(() => jest.useRealTimers());

/** No session is logged out here (revocation has its own tests, against the store). */
const noneRevoked: Revocations = { isRevoked: async () => false, remember: () => undefined };

describe('requireSession', () => {
  it('answers a remembered token as the first time, and refuses it once it has expired', async () => {
    const t0 = Date.parse('2026-12-01T12:00:00.000Z');
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval'] });
    jest.setSystemTime(t0);
    const { token, session } = signSession(key, { uid: 'u_0123456789abcdef', name: 'Ana' }, t0);

    expect(await requireSession(withToken(token), sessionKey, noneRevoked)).toEqual({ ...session, token });
    jest.setSystemTime(t0 + (SESSION_SECONDS - 1) * 1000);
    expect(await requireSession(withToken(token), sessionKey, noneRevoked)).toEqual({ ...session, token });

    jest.setSystemTime(t0 + SESSION_SECONDS * 1000);
    const refused = await requireSession(withToken(token), sessionKey, noneRevoked).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(401);
  });

  it('never remembers a token signed with another key', async () => {
    const other = signSession(randomBytes(32), { uid: 'u_0123456789abcdef', name: 'Ana' }).token;
    for (let i = 0; i < 2; i++) {
      const refused = await requireSession(withToken(other), sessionKey, noneRevoked).catch((error: unknown) => error);
      expect((refused as ApiError).status).toBe(401);
    }
  });
});
