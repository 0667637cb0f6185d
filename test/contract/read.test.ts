/**
 * GET /api/rooms/{room}/messages: pages after a cursor, before an id, or the newest, with
 * `lastId`, `hasMore` and `pollAfterMs`, and every way a read is refused.
 */
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';

const MESSAGES = '/api/rooms/{room}/messages';
const HISTORY = 205;

let app: App;
let transports: Transport[];
/** A room holding ids 1..205, written once for every read test (reads change nothing). */
let history: string;
let textOf: Map<number, string>;

beforeAll(async () => {
  app = loadApp();
  transports = await bothTransports(app);
  const login = await transports[0]!.request('POST', '/api/login', { body: { name: 'Historian' } });
  history = uniqueRoom('history');
  const stored = await Promise.all(
    Array.from({ length: HISTORY }, (_, i) =>
      app.messageLog.appendMessage({
        room: history,
        user: login.json.name,
        uid: login.json.uid,
        text: `message ${i + 1}`,
      }),
    ),
  );
  textOf = new Map(stored.map(({ message }) => [message.id, message.text]));
  expect([...textOf.keys()].sort((a, b) => a - b)).toEqual(range(1, HISTORY));
});
afterAll(async () => Promise.all(transports.map((t) => t.close())));

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe.each(['handlers', 'local server over HTTP'])('reading through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;
  let token: string;
  beforeAll(async () => {
    token = (await transport().request('POST', '/api/login', { body: { name: 'Reader' } })).json.token;
  });
  const read = async (query: string, status = 200, room = history): Promise<Reply> => {
    const res = await transport().request('GET', `/api/rooms/${room}/messages${query}`, { token });
    expectMatchesSpec('GET', MESSAGES, status, res);
    return res;
  };
  /** The page's ids, after checking each message is the one stored under its id. */
  const idsOf = (res: Reply): number[] => {
    for (const m of res.json.messages)
      expect({ id: m.id, room: m.room, text: m.text }).toEqual({ id: m.id, room: history, text: textOf.get(m.id) });
    return res.json.messages.map((m: { id: number }) => m.id);
  };

  describe('after a cursor (polling)', () => {
    it('answers the next 100 by default, oldest first, with hasMore and lastId', async () => {
      const res = await read('?after=0');
      expect(idsOf(res)).toEqual(range(1, 100));
      expect(res.json).toMatchObject({ lastId: 100, hasMore: true, pollAfterMs: 0 });
    });

    it('walks the whole room page by page by asking after lastId', async () => {
      const seen: number[] = [];
      let after = 0;
      let pages = 0;
      for (;;) {
        const res = await read(`?after=${after}&limit=60`);
        seen.push(...idsOf(res));
        after = res.json.lastId;
        pages++;
        if (!res.json.hasMore) break;
        expect(res.json.pollAfterMs).toBe(0);
      }
      expect(seen).toEqual(range(1, HISTORY));
      expect(pages).toBe(4);
    });

    it('answers up to 200 and tells when the rest fits exactly', async () => {
      const full = await read('?after=0&limit=200');
      expect(idsOf(full)).toEqual(range(1, 200));
      expect(full.json).toMatchObject({ lastId: 200, hasMore: true });
      const rest = await read('?after=200&limit=5');
      expect(idsOf(rest)).toEqual(range(201, 205));
      expect(rest.json).toMatchObject({ lastId: 205, hasMore: false });
      expect(rest.json.pollAfterMs).toBeGreaterThan(0);
      const oneShort = await read('?after=203&limit=1');
      expect(idsOf(oneShort)).toEqual([204]);
      expect(oneShort.json.hasMore).toBe(true);
    });

    it('answers an empty page with lastId = after at the head and beyond it', async () => {
      for (const after of [HISTORY, HISTORY + 1, 1_000_000, Number.MAX_SAFE_INTEGER]) {
        const res = await read(`?after=${after}`);
        expect(res.json).toMatchObject({
          messages: [],
          lastId: after,
          hasMore: false,
          pollAfterMs: res.json.pollAfterMs,
        });
        expect(res.json.pollAfterMs).toBeGreaterThan(0);
      }
    });

    it('answers an empty page for a room nobody has posted in', async () => {
      const room = uniqueRoom();
      expect((await read('', 200, room)).json).toMatchObject({ messages: [], lastId: 0, hasMore: false });
      expect((await read('?after=0', 200, room)).json).toMatchObject({ messages: [], lastId: 0, hasMore: false });
      expect((await read('?after=7', 200, room)).json).toMatchObject({ messages: [], lastId: 7, hasMore: false });
      expect((await read('?before=7', 200, room)).json).toMatchObject({ messages: [], lastId: 0, hasMore: false });
    });
  });

  describe('the newest (first visit)', () => {
    it('answers the newest 100 by default, oldest first', async () => {
      const res = await read('');
      expect(idsOf(res)).toEqual(range(106, 205));
      expect(res.json).toMatchObject({ lastId: 205, hasMore: false });
    });

    it('answers the newest `limit`', async () => {
      expect(idsOf(await read('?limit=1'))).toEqual([205]);
      expect(idsOf(await read('?limit=200'))).toEqual(range(6, 205));
    });
  });

  describe('before an id (history)', () => {
    it('answers up to `limit` older messages, oldest first, with hasMore when older ones exist', async () => {
      const page = await read('?before=102');
      expect(idsOf(page)).toEqual(range(2, 101));
      expect(page.json).toMatchObject({ lastId: 101, hasMore: true });
      const first = await read('?before=101');
      expect(idsOf(first)).toEqual(range(1, 100));
      expect(first.json).toMatchObject({ lastId: 100, hasMore: false });
      const small = await read('?before=6&limit=3');
      expect(idsOf(small)).toEqual([3, 4, 5]);
      expect(small.json.hasMore).toBe(true);
    });

    it('answers an empty page before the first id, and everything below a cursor past the head', async () => {
      expect((await read('?before=1')).json).toMatchObject({ messages: [], lastId: 0, hasMore: false });
      const past = await read('?before=1000&limit=5');
      expect(idsOf(past)).toEqual(range(201, 205));
    });
  });

  describe('refusals', () => {
    it.each([
      '-1',
      '1e3',
      'abc',
      '99999999999999999999',
      '9007199254740992',
      '',
      '1.0',
      '01',
      '+1',
      ' 1',
      '0x10',
      '1,2',
    ])('refuses after=%j and before=%j as invalid_cursor', async (value) => {
      for (const param of ['after', 'before']) {
        const res = await read(`?${param}=${encodeURIComponent(value)}`, 400);
        expect(res.json.error.code).toBe('invalid_cursor');
      }
    });

    it('refuses before=0, and after with before, as invalid_cursor', async () => {
      expect((await read('?before=0', 400)).json.error.code).toBe('invalid_cursor');
      expect((await read('?after=1&before=5', 400)).json.error.code).toBe('invalid_cursor');
      // A repeated parameter is not a number either.
      expect((await read('?after=1&after=2', 400)).json.error.code).toBe('invalid_cursor');
    });

    it.each(['0', '201', '-1', 'abc', '1.5', '', '1e2', '010', '99999999999999999999'])(
      'refuses limit=%j as invalid_limit',
      async (value) => {
        const res = await read(`?limit=${encodeURIComponent(value)}`, 400);
        expect(res.json.error.code).toBe('invalid_limit');
        expect((await read(`?after=0&limit=${encodeURIComponent(value)}`, 400)).json.error.code).toBe('invalid_limit');
      },
    );

    it('refuses a format other than json or xml as invalid_format', async () => {
      for (const format of ['html', 'XML', 'Json', '', 'xml,json']) {
        const res = await read(`?format=${encodeURIComponent(format)}`, 400);
        expect(res.json.error.code).toBe('invalid_format');
      }
      expect((await read('?format=json&limit=1')).headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('refuses a bad room name as invalid_room', async () => {
      for (const room of ['..%2Fx', 'a%20b', 'x'.repeat(65), '%E4%BD%A0']) {
        expect((await read('', 400, room)).json.error.code).toBe('invalid_room');
      }
      const empty = await transport().request('GET', '/api/rooms//messages', { token });
      expectMatchesSpec('GET', '/api/rooms//messages', 404, empty);
    });
  });
});
