/**
 * v2 long-polling: `wait` and `state` on a poll. A poll with nothing new is held until a
 * message after its cursor is readable, or until the wait ends; after a held poll
 * `pollAfterMs` is 0; a cap of 0 answers at once as before; a stopping server answers its
 * held polls at once. Run in both modes: as the sole writer of the store (what `npm start`
 * is) and on a shared store (what Lambda is: held polls re-check the store).
 *
 * Durations are only checked from below where the server cannot answer earlier by
 * construction (an empty held poll ends at its deadline), and from above with wide margins.
 */
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

const MESSAGES = '/api/rooms/{room}/messages';
const MODES = [
  ['sole writer', { CHAT_SOLE_WRITER: '1' }],
  ['shared store', { CHAT_SOLE_WRITER: '0', CHAT_WAIT_CHECK_MS: '200' }],
] as const;

describe.each(MODES)('long-polling, %s', (_, env) => {
  let app: App;
  let transports: Transport[];
  beforeAll(async () => {
    app = loadApp({ ...env, CHAT_SEND_RATE: '0' });
    transports = await bothTransports(app);
  });
  afterAll(async () => Promise.all(transports.map((t) => t.close())));

  describe.each(['handlers', 'local server over HTTP'])('through the %s', (name) => {
    const transport = () => transports.find((t) => t.name === name)!;
    let token: string;
    beforeAll(async () => {
      token = (await transport().request('POST', '/api/login', { body: { name: 'Waiter' } })).json.token;
    });
    const read = async (room: string, query: string, status = 200): Promise<Reply> => {
      const res = await transport().request('GET', `/api/rooms/${room}/messages${query}`, { token });
      expectMatchesSpec('GET', MESSAGES, status, res);
      return res;
    };
    const send = (room: string, text: string) =>
      transport().request('POST', `/api/rooms/${room}/messages`, { token, body: { text } });

    it.each([
      ['without after', ''],
      ['with before', '&before=5'],
      ['above 25', '&after=0&wait=26'],
      ['negative', '&after=0&wait=-1'],
      ['a fraction', '&after=0&wait=1.5'],
      ['with a leading zero', '&after=0&wait=05'],
      ['empty', '&after=0&wait='],
      ['not a number', '&after=0&wait=soon'],
      ['repeated', '&after=0&wait=1&wait=2'],
    ])('refuses a wait %s with 400 invalid_wait', async (_, query) => {
      const res = await read(uniqueRoom(), `?limit=10${query}${query.includes('wait') ? '' : '&wait=5'}`, 400);
      expect(res.json.error.code).toBe('invalid_wait');
    });

    it.each([
      ['empty', ''],
      ['65 characters', 'a'.repeat(65)],
      ['with a space', 'a%20b'],
      ['with a dot', 'a.b'],
    ])('refuses a state that is %s with 400 invalid_state', async (_, state) => {
      const res = await read(uniqueRoom(), `?after=0&wait=1&state=${state}`, 400);
      expect(res.json.error.code).toBe('invalid_state');
    });

    it('accepts a well-formed state, with or without wait', async () => {
      const room = uniqueRoom();
      await send(room, 'one');
      expect((await read(room, '?after=0&state=k3f9_-Z')).json.lastId).toBe(1);
      expect((await read(room, '?after=0&wait=1&state=k3f9_-Z')).json.lastId).toBe(1);
    });

    it('answers at once, without holding, when something is new already', async () => {
      const room = uniqueRoom();
      await send(room, 'waiting for you');
      const res = await read(room, '?after=0&wait=25');
      expect(res.json.messages.map((m: { text: string }) => m.text)).toEqual(['waiting for you']);
      expect(res.json.pollAfterMs).toBe(0);
    });

    it('holds a poll with nothing new and answers it with the message that is sent meanwhile', async () => {
      const room = uniqueRoom();
      await send(room, 'before');
      const held = read(room, '?after=1&wait=25');
      // The poll is held: it has not answered while nothing happened.
      const early = await Promise.race([held.then(() => 'answered'), sleep(300).then(() => 'held')]);
      expect(early).toBe('held');
      const t0 = performance.now();
      await send(room, 'news');
      const res = await held;
      const waited = performance.now() - t0;
      expect(res.json.messages.map((m: { id: number; text: string }) => [m.id, m.text])).toEqual([[2, 'news']]);
      expect(res.json).toMatchObject({ lastId: 2, hasMore: false, pollAfterMs: 0 });
      // Woken by the send, long before its 25 s were over (a shared store notices within its check).
      expect(waited).toBeLessThan(10_000);
    });

    it('ends an empty held poll at the end of its wait with the empty page and pollAfterMs 0', async () => {
      const room = uniqueRoom();
      const t0 = performance.now();
      const res = await read(room, '?after=0&wait=1');
      const took = performance.now() - t0;
      expect(res.json).toMatchObject({ messages: [], lastId: 0, hasMore: false, pollAfterMs: 0 });
      expect(took).toBeGreaterThanOrEqual(950);
      expect(took).toBeLessThan(10_000);
    });

    it('keeps the cursor of a poll that is ahead of the room', async () => {
      const room = uniqueRoom();
      await send(room, 'only one');
      const res = await read(room, '?after=7&wait=1');
      expect(res.json).toMatchObject({ messages: [], lastId: 7, hasMore: false, pollAfterMs: 0 });
    });

    it('answers every held poll of a room with the same message, once', async () => {
      const room = uniqueRoom();
      const polls = Array.from({ length: 5 }, () => read(room, '?after=0&wait=25'));
      await sleep(200);
      await send(room, 'for all of you');
      for (const res of await Promise.all(polls))
        expect(res.json.messages.map((m: { id: number }) => m.id)).toEqual([1]);
    });
  });

  it('answers at once with the usual pollAfterMs where holding is capped at 0', async () => {
    const capped = loadApp({ ...env, CHAT_WAIT_MAX_S: '0', CHAT_SEND_RATE: '0' });
    const [viaHandlers, viaHttp] = await bothTransports(capped);
    try {
      for (const transport of [viaHandlers!, viaHttp!]) {
        const { token } = (await transport.request('POST', '/api/login', { body: { name: 'Capped' } })).json;
        const room = uniqueRoom();
        const res = await transport.request('GET', `/api/rooms/${room}/messages?after=0&wait=25`, { token });
        expectMatchesSpec('GET', MESSAGES, 200, res);
        expect(res.json).toMatchObject({ messages: [], lastId: 0, hasMore: false, pollAfterMs: 2000 });
      }
    } finally {
      await Promise.all([viaHandlers!.close(), viaHttp!.close()]);
    }
  });

  it('holds for at most the cap when it is lower than the wait', async () => {
    const capped = loadApp({ ...env, CHAT_WAIT_MAX_S: '1', CHAT_SEND_RATE: '0' });
    const [viaHandlers] = await bothTransports(capped);
    const { token } = (await viaHandlers!.request('POST', '/api/login', { body: { name: 'Capped' } })).json;
    const t0 = performance.now();
    const res = await viaHandlers!.request('GET', `/api/rooms/${uniqueRoom()}/messages?after=0&wait=25`, { token });
    const took = performance.now() - t0;
    expect(res.json).toMatchObject({ messages: [], lastId: 0, hasMore: false, pollAfterMs: 0 });
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(15_000);
  });

  it('answers its held polls at once, with the empty page, when the server stops', async () => {
    const stopping = loadApp({ ...env, CHAT_SEND_RATE: '0' });
    const [viaHandlers, viaHttp] = await bothTransports(stopping);
    try {
      const { token } = (await viaHandlers!.request('POST', '/api/login', { body: { name: 'Last' } })).json;
      const room = uniqueRoom();
      const held = [viaHandlers!, viaHttp!].map((t) =>
        t.request('GET', `/api/rooms/${room}/messages?after=0&wait=25`, { token }),
      );
      await sleep(200);
      stopping.services.close();
      for (const res of await Promise.all(held)) {
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ messages: [], lastId: 0, hasMore: false, pollAfterMs: 0 });
      }
      // And a poll that comes after that is not held either.
      const late = await viaHandlers!.request('GET', `/api/rooms/${room}/messages?after=0&wait=25`, { token });
      expect(late.json.messages).toEqual([]);
    } finally {
      await Promise.all([viaHandlers!.close(), viaHttp!.close()]);
    }
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
