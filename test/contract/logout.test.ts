/**
 * v2 logout: 204 and a cleared cookie; the token refused everywhere afterwards, at once on the
 * process that took the logout and within 60 s on another one on the same store (two apps,
 * as two Lambda instances or two local servers; the clock is given); a poll's store requests
 * unchanged by it.
 */
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { countRequests } from '#test/support/store-requests';
import { bothTransports, type Transport, viaHandlers } from './support/transports';

const ENDPOINTS: readonly (readonly [string, string, string, object?])[] = [
  ['GET', '/api/session', '/api/session'],
  ['GET', '/api/rooms/{room}/messages', '/api/rooms/lobby/messages?after=0'],
  ['POST', '/api/rooms/{room}/messages', '/api/rooms/lobby/messages', { text: 'still me?' }],
  ['POST', '/api/rooms/{room}/presence', '/api/rooms/lobby/presence', {}],
  ['POST', '/api/logout', '/api/logout'],
];

describe('logout', () => {
  const clock = Date.now();
  let app: App;
  let transports: Transport[];
  beforeAll(async () => {
    app = loadApp({ CHAT_SOLE_WRITER: '1' }, { now: () => clock });
    transports = await bothTransports(app);
  });
  afterAll(async () => Promise.all(transports.map((t) => t.close())));

  describe.each(['handlers', 'local server over HTTP'])('through the %s', (name) => {
    const transport = () => transports.find((t) => t.name === name)!;
    const login = async () => (await transport().request('POST', '/api/login', { body: { name: 'Leaver' } })).json;

    it('answers 204 with a cookie that clears the session, then refuses the token everywhere', async () => {
      const { token } = await login();
      expect((await transport().request('GET', '/api/session', { token })).status).toBe(200);
      const res = await transport().request('POST', '/api/logout', { token });
      expectMatchesSpec('POST', '/api/logout', 204, res);
      expect(res.cookies).toEqual([
        expect.stringMatching(/^session=; HttpOnly; SameSite=Strict; Path=\/api; Max-Age=0/),
      ]);
      for (const [method, template, url, body] of ENDPOINTS) {
        const refused = await transport().request(method, url, { token, ...(body ? { body } : {}) });
        expectMatchesSpec(method, template, 401, refused);
        expect(refused.json.error.code).toBe('unauthorized');
      }
    });

    it('refuses the logged-out token sent as the cookie too, and keeps other sessions of the same name', async () => {
      const first = await login();
      const second = await login();
      await transport().request('POST', '/api/logout', { cookies: [`session=${first.token}`] });
      expect((await transport().request('GET', '/api/session', { cookies: [`session=${first.token}`] })).status).toBe(
        401,
      );
      expect((await transport().request('GET', '/api/session', { token: second.token })).status).toBe(200);
    });

    it('refuses a logout without a session with 401', async () => {
      const res = await transport().request('POST', '/api/logout');
      expectMatchesSpec('POST', '/api/logout', 401, res);
    });
  });
});

describe('logout seen by another instance on the same store', () => {
  let clock = Date.now();
  const now = () => clock;
  let one: App;
  let other: App;
  beforeAll(() => {
    one = loadApp({ CHAT_SOLE_WRITER: '0' }, { now });
    other = loadApp({ CHAT_SOLE_WRITER: '0' }, { now });
  });
  const session = (app: App, token: string) => viaHandlers(app).request('GET', '/api/session', { token });

  it('holds on the other within 60 s: refreshed in the background after 30 s, before answering after 60 s', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map(async () => (await viaHandlers(one).request('POST', '/api/login', { body: { name: 'Twice' } })).json),
    );
    // The other instance knows of no logout yet (its knowledge is fresh), and accepts both.
    expect((await session(other, a.token)).status).toBe(200);
    expect((await session(other, b.token)).status).toBe(200);

    await viaHandlers(one).request('POST', '/api/logout', { token: a.token });
    expect((await session(one, a.token)).status).toBe(401);
    // Within 30 s the other still goes by what it knew (no store read for that).
    clock += 29_000;
    expect((await session(other, a.token)).status).toBe(200);
    // Past 30 s: this request starts a refresh and goes on; the requests after it know.
    clock += 2_000;
    await session(other, a.token);
    await waitFor(async () => (await session(other, a.token)).status === 401);
    expect((await session(other, b.token)).status).toBe(200);

    // An instance that slept past 60 s reads first: refused at once.
    await viaHandlers(one).request('POST', '/api/logout', { token: b.token });
    clock += 61_000;
    expect((await session(other, b.token)).status).toBe(401);
  });

  it('adds no store read to a poll', async () => {
    const { token } = (await viaHandlers(other).request('POST', '/api/login', { body: { name: 'Poller' } })).json;
    const room = uniqueRoom();
    await viaHandlers(other).request('GET', `/api/rooms/${room}/messages?after=0`, { token });
    const requests = countRequests(other.services.store);
    for (let i = 0; i < 5; i++) {
      clock += 5_000; // 25 s in all: still within the 30 s of fresh knowledge
      const res = await viaHandlers(other).request('GET', `/api/rooms/${room}/messages?after=0`, { token });
      expect(res.status).toBe(200);
      expect(requests.taken()).toEqual({ Query: 1 });
    }
  });
});

/** Asks again until `done` (a background refresh finishing), for at most 10 s. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('not done within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
