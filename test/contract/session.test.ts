/**
 * GET /api/session and the session rules shared by every endpoint that needs one: a valid
 * token as a bearer token or as the cookie; 401 for none, forged, tampered, expired, signed
 * with another key or malformed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { signSession } from '#chat/session-token';
import { loadApp } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

const serverKey = () => Buffer.from(process.env.CHAT_SESSION_KEY!, 'base64');
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const HS256_HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A token with any claims, correctly signed with `key`: only the claims are wrong. */
function signClaims(claims: unknown, key = serverKey(), header = HS256_HEADER): string {
  const payload = b64url(typeof claims === 'string' ? claims : JSON.stringify(claims));
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

let transports: Transport[];
beforeAll(async () => {
  transports = await bothTransports(loadApp());
});
afterAll(async () => Promise.all(transports.map((t) => t.close())));

describe.each(['handlers', 'local server over HTTP'])('GET /api/session through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;
  const login = async (who = 'Mei') => {
    const res = await transport().request('POST', '/api/login', { body: { name: who } });
    expectMatchesSpec('POST', '/api/login', 200, res);
    return res.json as { token: string; name: string; uid: string; expiresAt: string };
  };
  const session = async (options: Parameters<Transport['request']>[2], status: number): Promise<Reply> => {
    const res = await transport().request('GET', '/api/session', options);
    expectMatchesSpec('GET', '/api/session', status, res);
    if (status === 401) expect(res.json.error.code).toBe('unauthorized');
    return res;
  };

  it('answers name, uid and expiresAt for a bearer token', async () => {
    const user = await login('小明');
    const res = await session({ token: user.token }, 200);
    expect(res.json).toEqual({ name: '小明', uid: user.uid, expiresAt: user.expiresAt });
  });

  it('answers for the session cookie that login set, also among other cookies', async () => {
    const res = await transport().request('POST', '/api/login', { body: { name: 'Mei' } });
    const cookie = res.cookies[0]!.split(';')[0]!;
    expect((await session({ cookies: [cookie] }, 200)).json.uid).toBe(res.json.uid);
    expect((await session({ cookies: ['theme=dark', cookie, 'lang=zh'] }, 200)).json.uid).toBe(res.json.uid);
  });

  it('answers 401 without a session', async () => {
    await session({}, 401);
    await session({ cookies: ['theme=dark'] }, 401);
    await session({ cookies: ['session='] }, 401);
    await session({ headers: { authorization: 'Bearer' } }, 401);
    await session({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 401);
  });

  it('looks only at the Authorization header when there is one, even with a valid cookie', async () => {
    const user = await login();
    await session({ headers: { authorization: 'Bearer not-a-token' }, cookies: [`session=${user.token}`] }, 401);
  });

  it('answers 401 for a tampered token', async () => {
    const user = await login('Mei');
    const [head, payload, sig] = user.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    // Another name or uid under the original signature.
    await session({ token: `${head}.${b64url(JSON.stringify({ ...claims, name: 'admin' }))}.${sig}` }, 401);
    await session({ token: `${head}.${b64url(JSON.stringify({ ...claims, sub: 'u_0000000000000000' }))}.${sig}` }, 401);
    // A later expiry under the original signature.
    await session({ token: `${head}.${b64url(JSON.stringify({ ...claims, exp: claims.exp + 3600 }))}.${sig}` }, 401);
    // A different signature, and the same signature bytes spelled another way (the last base64url
    // character of a 32-byte value carries two unused bits).
    const flipped = sig.slice(0, -1) + (sig.at(-1) === 'A' ? 'B' : 'A');
    await session({ token: `${head}.${payload}.${flipped}` }, 401);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alias = sig.slice(0, -1) + alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1];
    expect(Buffer.from(alias, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    await session({ token: `${head}.${payload}.${alias}` }, 401);
    await session({ token: `${head}.${payload}.${sig}x` }, 401);
    await session({ token: `${head}.${payload}` }, 401);
  });

  it('answers 401 for a forged token: alg none, another algorithm, another key', async () => {
    const user = await login();
    const [, payload] = user.token.split('.') as [string, string];
    await session({ token: `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.` }, 401);
    await session(
      {
        token: signClaims(
          JSON.parse(Buffer.from(payload, 'base64url').toString()),
          serverKey(),
          b64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' })),
        ),
      },
      401,
    );
    const otherKey = signSession(randomBytes(32), { uid: user.uid, name: user.name }).token;
    await session({ token: otherKey }, 401);
  });

  it('answers 401 for an expired token, and 200 for one that ends in a minute', async () => {
    const uid = `u_${randomBytes(8).toString('hex')}`;
    const expired = signSession(serverKey(), { uid, name: 'Old' }, Date.now() - 24 * 3600 * 1000 - 1000).token;
    const res = await session({ token: expired }, 401);
    expect(res.json.error.message).toMatch(/expired/);
    const endingSoon = signSession(serverKey(), { uid, name: 'Old' }, Date.now() - 24 * 3600 * 1000 + 60_000).token;
    expect((await session({ token: endingSoon }, 200)).json).toMatchObject({ uid, name: 'Old' });
  });

  it('answers 401 for malformed tokens and for signed tokens with malformed claims', async () => {
    for (const token of ['abc', 'a.b.c', 'a.b.c.d', '...', `${'a'.repeat(600)}.${'b'.repeat(600)}.c`, '%%%.%%%.%%%']) {
      await session({ token }, 401);
    }
    const exp = Math.floor(Date.now() / 1000) + 3600;
    await session({ token: signClaims({ sub: 'admin', name: 'x', exp }) }, 401);
    await session({ token: signClaims({ sub: 'u_0123456789abcdef', exp }) }, 401);
    await session({ token: signClaims({ sub: 'u_0123456789abcdef', name: 'x', exp: String(exp) }) }, 401);
    await session({ token: signClaims('not json') }, 401);
    await session({ token: signClaims('null') }, 401);
    // Well signed and well formed, but over the length a session token can have.
    await session({ token: signClaims({ sub: 'u_0123456789abcdef', name: 'x'.repeat(1000), exp }) }, 401);
    // The sanity check: the same claims with a normal name are accepted.
    expect((await session({ token: signClaims({ sub: 'u_0123456789abcdef', name: 'x', exp }) }, 200)).json.name).toBe(
      'x',
    );
  });

  it('requires the session on reading and sending too', async () => {
    const room = `s-${randomBytes(6).toString('hex')}`;
    for (const options of [
      {},
      { token: 'abc' },
      { token: signSession(randomBytes(32), { uid: 'u_0123456789abcdef', name: 'x' }).token },
    ]) {
      const read = await transport().request('GET', `/api/rooms/${room}/messages`, options);
      expectMatchesSpec('GET', '/api/rooms/{room}/messages', 401, read);
      const send = await transport().request('POST', `/api/rooms/${room}/messages`, {
        ...options,
        body: { text: 'hi' },
      });
      expectMatchesSpec('POST', '/api/rooms/{room}/messages', 401, send);
      expect(send.json.error.code).toBe('unauthorized');
    }
    const user = await login();
    const read = await transport().request('GET', `/api/rooms/${room}/messages`, { token: user.token });
    expectMatchesSpec('GET', '/api/rooms/{room}/messages', 200, read);
    expect(read.json.messages).toEqual([]);
  });
});
