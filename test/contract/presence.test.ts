/**
 * v2 room state: `POST /api/rooms/{room}/presence` and the `room` object of polls and newest
 * reads. Run in both modes: as the sole writer of the store (presence in memory, what `npm
 * start` is) and on a shared store (presence in the room's state item, what Lambda is). The
 * clock is given, so expiry after 60 s and typing after 6 s are checked without sleeping.
 */
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { countRequests, type StoreRequests } from '#test/support/store-requests';
import { bothTransports, type Reply, type Transport } from './support/transports';

const PRESENCE = '/api/rooms/{room}/presence';
const MESSAGES = '/api/rooms/{room}/messages';
const MODES = [
  ['sole writer', { CHAT_SOLE_WRITER: '1' }],
  ['shared store', { CHAT_SOLE_WRITER: '0', CHAT_WAIT_CHECK_MS: '200' }],
] as const;

interface User {
  readonly token: string;
  readonly uid: string;
  readonly name: string;
}

describe.each(MODES)('the room state, %s', (_, env) => {
  let clock = Date.parse('2026-12-02T10:00:00.000Z');
  let app: App;
  let transports: Transport[];
  beforeAll(async () => {
    app = loadApp({ ...env, CHAT_SEND_RATE: '0' }, { now: () => clock });
    transports = await bothTransports(app);
  });
  afterAll(async () => Promise.all(transports.map((t) => t.close())));

  describe.each(['handlers', 'local server over HTTP'])('through the %s', (name) => {
    const transport = () => transports.find((t) => t.name === name)!;
    const loginAs = async (userName: string): Promise<User> => {
      const res = await transport().request('POST', '/api/login', { body: { name: userName } });
      return { token: res.json.token, uid: res.json.uid, name: res.json.name };
    };
    const presence = async (room: string, user: User, body: object | string, status = 204): Promise<Reply> => {
      // Each call moves the clock on, so that no test meets the per-user presence limit by accident.
      clock += 1000;
      const res = await transport().request('POST', `/api/rooms/${room}/presence`, { token: user.token, body });
      expectMatchesSpec('POST', PRESENCE, status, res);
      expect(res.status).toBe(status);
      return res;
    };
    const poll = async (room: string, user: User, query = '?after=0'): Promise<Reply> => {
      const res = await transport().request('GET', `/api/rooms/${room}/messages${query}`, { token: user.token });
      expectMatchesSpec('GET', MESSAGES, 200, res);
      return res;
    };
    const roomOf = async (room: string, user: User) => (await poll(room, user)).json.room;

    let ana: User;
    let bo: User;
    beforeAll(async () => {
      ana = await loginAs('Ana');
      bo = await loginAs('小明');
    });

    it('takes each of the four bodies with 204 and no body', async () => {
      const room = uniqueRoom();
      for (const body of [{}, { typing: true }, { typing: false }, { gone: true }]) {
        const res = await presence(room, ana, body);
        expect(res.text).toBe('');
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });

    it.each([
      ['an unknown field', { here: true }],
      ['typing and gone together', { typing: true, gone: true }],
      ['typing that is not a boolean', { typing: 'yes' }],
      ['gone that is false', { gone: false }],
      ['gone that is not a boolean', { gone: 1 }],
      ['an extra field beside typing', { typing: true, x: 1 }],
      ['an array', []],
      ['null', 'null'],
      ['a string', '"here"'],
    ])('refuses %s with 400 invalid_presence and changes nothing', async (_, body) => {
      const room = uniqueRoom();
      const before = await roomOf(room, ana);
      const res = await presence(room, ana, body, 400);
      expect(res.json.error.code).toBe('invalid_presence');
      expect(await roomOf(room, ana)).toEqual(before);
    });

    it.each([
      ['malformed JSON', '{"typing": tru', 'application/json'],
      ['an empty body', '', 'application/json'],
      ['a form body', 'typing=true', 'application/x-www-form-urlencoded'],
      ['plain text', '{}', 'text/plain'],
    ])('refuses %s with 400 invalid_json', async (_, body, contentType) => {
      clock += 1000;
      const res = await transport().request('POST', `/api/rooms/${uniqueRoom()}/presence`, {
        token: ana.token,
        body,
        contentType,
      });
      expectMatchesSpec('POST', PRESENCE, 400, res);
      expect(res.json.error.code).toBe('invalid_json');
    });

    it('refuses a bad room with 400 invalid_room, and no session or a forged one with 401', async () => {
      const bad = await transport().request('POST', '/api/rooms/no%20spaces/presence', { token: ana.token, body: {} });
      expectMatchesSpec('POST', PRESENCE, 400, bad);
      expect(bad.json.error.code).toBe('invalid_room');
      for (const token of [undefined, `${ana.token}x`]) {
        const res = await transport().request('POST', `/api/rooms/${uniqueRoom()}/presence`, { token, body: {} });
        expectMatchesSpec('POST', PRESENCE, 401, res);
        expect(res.json.error.code).toBe('unauthorized');
      }
    });

    it('allows bursts of 5 presence calls, then answers 429 with Retry-After, and recovers at 1 a second', async () => {
      const room = uniqueRoom();
      const cara = await loginAs('Cara');
      const call = () => transport().request('POST', `/api/rooms/${room}/presence`, { token: cara.token, body: {} });
      clock += 60_000;
      for (let i = 0; i < 5; i++) expect((await call()).status).toBe(204);
      const refused = await call();
      expectMatchesSpec('POST', PRESENCE, 429, refused);
      expect(refused.json.error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      clock += 1000;
      expect((await call()).status).toBe(204);
      expect((await call()).status).toBe(429);
    });

    it('shows who is here in JSON polls and newest reads, but not in XML or history pages', async () => {
      const room = uniqueRoom();
      await presence(room, ana, {});
      clock += 1000;
      await transport().request('POST', `/api/rooms/${room}/messages`, { token: bo.token, body: { text: 'hi' } });
      for (const query of ['?after=0', '?after=1', '']) {
        const { room: state } = (await poll(room, ana, query)).json;
        expect(state.presentCount).toBe(2);
        expect(state.present).toEqual([
          { uid: bo.uid, name: '小明', typing: false },
          { uid: ana.uid, name: 'Ana', typing: false },
        ]);
      }
      expect((await poll(room, ana, '?before=2')).json.room).toBeUndefined();
      const xml = await poll(room, ana, '?after=0&format=xml');
      expect(xml.text).not.toMatch(/present|state|Ana/);
    });

    it('ends presence 60 s after the last call or message, and typing 6 s after typing: true', async () => {
      const room = uniqueRoom();
      await presence(room, ana, { typing: true });
      expect((await roomOf(room, bo)).present).toEqual([{ uid: ana.uid, name: 'Ana', typing: true }]);
      clock += 5_000;
      expect((await roomOf(room, bo)).present[0].typing).toBe(true);
      clock += 1_001;
      expect((await roomOf(room, bo)).present).toEqual([{ uid: ana.uid, name: 'Ana', typing: false }]);
      clock += 60_000 - 6_001 - 1;
      expect((await roomOf(room, bo)).presentCount).toBe(1);
      clock += 1;
      expect(await roomOf(room, bo)).toMatchObject({ presentCount: 0, present: [] });
    });

    it('keeps typing across a refresh, and ends it with typing: false, gone, or a message', async () => {
      const room = uniqueRoom();
      await presence(room, ana, { typing: true });
      await presence(room, ana, {});
      expect((await roomOf(room, bo)).present[0].typing).toBe(true);
      await presence(room, ana, { typing: false });
      expect((await roomOf(room, bo)).present[0].typing).toBe(false);
      await presence(room, ana, { typing: true });
      await transport().request('POST', `/api/rooms/${room}/messages`, { token: ana.token, body: { text: 'done' } });
      expect((await roomOf(room, bo)).present).toEqual([{ uid: ana.uid, name: 'Ana', typing: false }]);
      await presence(room, ana, { typing: true });
      await presence(room, ana, { gone: true });
      expect((await roomOf(room, bo)).presentCount).toBe(0);
    });

    it('lists those typing first, then the most recently active, and a refresh moves no one', async () => {
      const room = uniqueRoom();
      const cara = await loginAs('Cara');
      await presence(room, ana, {});
      await presence(room, bo, {});
      await presence(room, cara, {});
      const order = async () => (await roomOf(room, ana)).present.map((p: { name: string }) => p.name);
      expect(await order()).toEqual(['Cara', '小明', 'Ana']);
      await presence(room, ana, {});
      expect(await order()).toEqual(['Cara', '小明', 'Ana']);
      await transport().request('POST', `/api/rooms/${room}/messages`, { token: ana.token, body: { text: 'me' } });
      expect(await order()).toEqual(['Ana', 'Cara', '小明']);
      await presence(room, bo, { typing: true });
      expect(await order()).toEqual(['小明', 'Ana', 'Cara']);
    });

    it('keeps state across refreshes that change nothing shown, and changes it with every change shown', async () => {
      const room = uniqueRoom();
      const step = async (user: User, body: object, changes: boolean) => {
        const before = (await roomOf(room, ana)).state;
        await presence(room, user, body);
        const after = (await roomOf(room, ana)).state;
        expect({ body, changed: after !== before }).toEqual({ body, changed: changes });
      };
      await step(ana, {}, true); // Ana comes
      await step(ana, {}, false); // a refresh
      await step(bo, {}, true); // 小明 comes
      await step(bo, {}, false);
      await step(bo, { typing: true }, true); // starts typing
      await step(bo, { typing: true }, false); // still typing
      await step(ana, {}, false);
      await step(bo, { typing: false }, true); // stops
      await step(bo, { typing: false }, false);
      await step(bo, { gone: true }, true); // leaves
      await step(bo, { gone: true }, false);
      // Someone simply expiring changes it too, with no call at all.
      const before = (await roomOf(room, ana)).state;
      clock += 60_000;
      expect((await roomOf(room, ana)).state).not.toBe(before);
    });

    it('ends a held poll that holds an older state as soon as someone starts typing', async () => {
      const room = uniqueRoom();
      await presence(room, ana, {});
      await presence(room, bo, {});
      const { state } = await roomOf(room, ana);
      const started = Date.now();
      const held = poll(room, ana, `?after=0&wait=20&state=${state}`);
      // The poll is held: nothing is new and the room shows what the client holds.
      const early = await Promise.race([held.then(() => 'answered'), wait(300).then(() => 'held')]);
      expect(early).toBe('held');
      await presence(room, bo, { typing: true });
      const res = await held;
      expect(res.json.room.present).toContainEqual({ uid: bo.uid, name: '小明', typing: true });
      expect(res.json.room.state).not.toBe(state);
      expect(res.json.pollAfterMs).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('answers a held poll at once when the state it holds is already out of date', async () => {
      const room = uniqueRoom();
      await presence(room, ana, {});
      const res = await poll(room, ana, '?after=0&wait=20&state=not-the-state');
      expect(res.json.room.presentCount).toBe(1);
    });
  });
});

describe.each(MODES)('the room state in a crowd, %s', (mode, env) => {
  let clock = Date.parse('2026-12-02T12:00:00.000Z');
  let app: App;
  let requests: StoreRequests;
  beforeAll(() => {
    app = loadApp({ ...env, CHAT_SEND_RATE: '0' }, { now: () => clock });
    requests = countRequests(app.services.store);
  });
  const person = (n: number) => ({ uid: `u_${n.toString(16).padStart(16, '0')}`, name: `p${n}` });
  const poll = (room: string) => app.messageLog.readMessages(room, { kind: 'after', after: 0, limit: 100 });

  // In memory every present person is counted; the store's item holds as many as fit in one
  // read unit (55 with short names), and lists the 50 most recently active either way.
  const crowd = mode === 'sole writer' ? 60 : 55;
  it(`lists 50 of ${crowd} present, the most recently active, and counts all ${crowd}`, async () => {
    const room = uniqueRoom();
    for (let n = 1; n <= crowd; n++) {
      clock += 10;
      await app.services.presence.change(room, person(n), 'here');
    }
    const { room: state } = await poll(room);
    expect(state!.presentCount).toBe(crowd);
    expect(state!.present).toHaveLength(50);
    expect(state!.present.map((p) => p.name)).toEqual(Array.from({ length: 50 }, (_, i) => `p${crowd - i}`));
  });

  it('reads a poll with exactly one query and records a presence call with at most one write', async () => {
    const room = uniqueRoom();
    await app.services.presence.change(room, person(1), 'here');
    await app.messageLog.appendMessage({ room, user: 'p1', uid: person(1).uid, text: 'hello' });
    await poll(room);
    requests.taken();
    for (const change of ['here', 'typing', 'stopped', 'gone'] as const) {
      clock += 1000;
      await app.services.presence.change(room, person(2), change);
      expect(requests.taken()).toEqual(mode === 'sole writer' ? {} : { UpdateItem: 1 });
    }
    // A poll behind the head, and one at it; the sole writer answers from memory.
    await app.messageLog.readMessages(room, { kind: 'after', after: 0, limit: 100 });
    await poll(room);
    const reads = requests.taken();
    if (mode === 'shared store') expect(reads).toEqual({ Query: 2 });
    else expect(reads.Query ?? 0).toBeLessThanOrEqual(1);
  });

  if (mode === 'shared store') {
    it('keeps what a poll reads of the state within one read unit after 500 people came and went', async () => {
      const room = uniqueRoom();
      // They come in waves of 10 at once, so that some add themselves from the same outdated knowledge.
      for (let wave = 0; wave < 50; wave++) {
        clock += 5_000;
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            app.services.presence.change(room, person(1000 + wave * 10 + i), 'here'),
          ),
        );
        requests.consumed();
        await poll(room);
        // DynamoDB's own count: a strongly consistent read of up to 4 KB is one unit.
        expect(requests.consumed().read).toBe(1);
      }
      // Some leave, the rest expire; then one more comes, and the one after finds only them.
      for (let i = 0; i < 10; i++) await app.services.presence.change(room, person(1490 + i), 'gone');
      clock += 5 * 60_000;
      await app.services.presence.change(room, person(2), 'here');
      clock += 1000;
      await app.services.presence.change(room, person(3), 'typing');
      requests.consumed();
      const { room: state } = await poll(room);
      expect(requests.consumed().read).toBe(1);
      expect(state!.presentCount).toBe(2);
      expect(state!.present).toEqual([
        { uid: person(3).uid, name: 'p3', typing: true },
        { uid: person(2).uid, name: 'p2', typing: false },
      ]);
    }, 180_000);
  }
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
