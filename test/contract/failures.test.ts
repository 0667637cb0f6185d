/**
 * The answers for a sender over its limit (429, but 200 for a repeated clientId), a store out
 * of reach (503) and a bug (500): each with its documented code and headers, and none of them
 * storing anything.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { logger } from '#aws/log';
import { loadSessionKey } from '#aws/session-key';
import { viaHandlers, viaHttp, type Transport } from './support/transports';

const MESSAGES = '/api/rooms/{room}/messages';
const TRANSPORTS = ['handlers', 'local server over HTTP'];

async function loginOn(transport: Transport, who = 'Sam'): Promise<{ token: string; uid: string }> {
  const res = await transport.request('POST', '/api/login', { body: { name: who } });
  expectMatchesSpec('POST', '/api/login', 200, res);
  return res.json;
}

async function bothOver(app: App): Promise<Transport[]> {
  return [viaHandlers(app), await viaHttp(app)];
}

describe('429 rate_limited: a user sending faster than allowed', () => {
  let limited: Transport[];
  let unlimited: Transport;
  beforeAll(async () => {
    limited = await bothOver(loadApp({ CHAT_SEND_RATE: '1', CHAT_SEND_BURST: '2' }));
    unlimited = viaHandlers(loadApp({ CHAT_SEND_RATE: '0' }));
  });
  afterAll(async () => Promise.all(limited.map((t) => t.close())));

  it.each(TRANSPORTS)(
    'refuses sends past the burst with Retry-After and stores only the accepted ones, through the %s',
    async (name) => {
      const transport = limited.find((t) => t.name === name)!;
      const user = await loginOn(transport);
      const room = uniqueRoom();
      // At 1 a second with a burst of 2, some send among the first several is refused however
      // slowly this machine runs them; the loop is bounded in case it never is.
      const accepted: number[] = [];
      let refusal: Awaited<ReturnType<Transport['request']>> | undefined;
      for (let n = 0; n < 20 && !refusal; n++) {
        const res = await transport.request('POST', `/api/rooms/${room}/messages`, {
          token: user.token,
          body: { text: `m${n}` },
        });
        if (res.status === 429) refusal = res;
        else {
          expectMatchesSpec('POST', MESSAGES, 201, res);
          accepted.push(res.json.id);
        }
      }
      expect(refusal).toBeDefined();
      expectMatchesSpec('POST', MESSAGES, 429, refusal!);
      expect(refusal!.json.error.code).toBe('rate_limited');
      expect(Number(refusal!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(accepted.length).toBeGreaterThanOrEqual(2);

      const stored = await unlimited.request('GET', `/api/rooms/${room}/messages?after=0`, { token: user.token });
      expect(stored.json.messages.map((m: { id: number }) => m.id)).toEqual(accepted);

      // Another user has an allowance of their own, and the refused send took no id.
      const other = await loginOn(transport, 'Other');
      const res = await transport.request('POST', `/api/rooms/${room}/messages`, {
        token: other.token,
        body: { text: 'mine' },
      });
      expectMatchesSpec('POST', MESSAGES, 201, res);
      expect(res.json.id).toBe(accepted.length + 1);
    },
  );
});

describe('429 and a repeated clientId: a retry is not a new message', () => {
  describe.each([
    ['in the store', '0'],
    ['in memory (sole writer)', '1'],
  ])('with the send limit kept %s', (_where, sole) => {
    let transports: Transport[];
    beforeAll(async () => {
      // A burst of 3, then one send per 1000 s: a user over the limit stays over for the whole
      // test, however slowly this machine runs it.
      transports = await bothOver(loadApp({ CHAT_SEND_RATE: '0.001', CHAT_SEND_BURST: '3', CHAT_SOLE_WRITER: sole }));
    });
    afterAll(async () => Promise.all(transports.map((t) => t.close())));

    const sender = (transport: Transport, token: string, room: string) => async (body: object, status: number) => {
      const res = await transport.request('POST', `/api/rooms/${room}/messages`, { token, body });
      expectMatchesSpec('POST', MESSAGES, status, res);
      return res;
    };
    const texts = async (transport: Transport, token: string, room: string) => {
      const res = await transport.request('GET', `/api/rooms/${room}/messages?after=0`, { token });
      return res.json.messages.map((m: { text: string }) => m.text);
    };

    it.each(TRANSPORTS)(
      'answers a repeat over the limit with 200 and the first copy, and a new clientId with 429, through the %s',
      async (name) => {
        const transport = transports.find((t) => t.name === name)!;
        const user = await loginOn(transport);
        const room = uniqueRoom();
        const send = sender(transport, user.token, room);
        const first = await send({ text: 'first', clientId: 'k1' }, 201);
        await send({ text: 'two' }, 201);
        await send({ text: 'three' }, 201);

        const refused = await send({ text: 'four', clientId: 'k4' }, 429);
        const repeat = await send({ text: 'first', clientId: 'k1' }, 200);
        await send({ text: 'four', clientId: 'k4' }, 429);

        expect(refused.json.error.code).toBe('rate_limited');
        expect(repeat.json).toEqual(first.json);
        expect(await texts(transport, user.token, room)).toEqual(['first', 'two', 'three']);
      },
    );

    it.each(TRANSPORTS)(
      'answers ten identical sends at once from a user near the limit with 201 once and 200, never 429, through the %s',
      async (name) => {
        const transport = transports.find((t) => t.name === name)!;
        const user = await loginOn(transport);
        const room = uniqueRoom();
        const send = sender(transport, user.token, room);
        await send({ text: 'one' }, 201);
        await send({ text: 'two' }, 201);
        const tenAtOnce = (body: object) =>
          Promise.all(
            Array.from({ length: 10 }, () =>
              transport.request('POST', `/api/rooms/${room}/messages`, { token: user.token, body }),
            ),
          );

        // One send left: one of the ten takes it, the others answer its message.
        const near = await tenAtOnce({ text: 'retried', clientId: 'r1' });
        // Now over the limit: ten more at once all answer the first copy.
        const over = await tenAtOnce({ text: 'retried', clientId: 'r1' });
        // A new clientId over the limit is a new message: refused, each of the ten.
        const fresh = await tenAtOnce({ text: 'new', clientId: 'r2' });

        expect(near.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
        expect(over.map((r) => r.status)).toEqual(Array(10).fill(200));
        const firstCopy = near.find((r) => r.status === 201)!.json;
        for (const r of [...near, ...over]) expect(r.json).toEqual(firstCopy);
        expect(fresh.map((r) => r.status)).toEqual(Array(10).fill(429));
        for (const r of [...near, ...over, ...fresh]) expectMatchesSpec('POST', MESSAGES, r.status, r);
        expect(await texts(transport, user.token, room)).toEqual(['one', 'two', 'retried']);
      },
    );
  });
});

describe('503 unavailable: the store is out of reach', () => {
  let deadStore: Server;
  let transports: Transport[];
  beforeAll(async () => {
    // A port on this machine that accepts connections and closes them at once: the store
    // client's retries all fail fast, as when DynamoDB is unreachable.
    deadStore = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => deadStore.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(deadStore.address() as AddressInfo).port}`;
    transports = await bothOver(loadApp({ DYNAMODB_ENDPOINT: endpoint, CHAT_SEND_RATE: '1', CHAT_SEND_BURST: '2' }));
  });
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await new Promise((resolve) => deadStore.close(resolve));
  });

  it.each(TRANSPORTS)(
    'answers reads and sends with 503 and Retry-After, while login and health still work, through the %s',
    async (name) => {
      const transport = transports.find((t) => t.name === name)!;
      const user = await loginOn(transport);
      // A process that has never learnt of logouts cannot tell whether this token was logged
      // out: it refuses to guess (503), rather than accept a token that may be revoked.
      const session = await transport.request('GET', '/api/session', { token: user.token });
      expectMatchesSpec('GET', '/api/session', 503, session);
      expectMatchesSpec('GET', '/api/health', 200, await transport.request('GET', '/api/health'));

      const read = await transport.request('GET', `/api/rooms/${uniqueRoom()}/messages`, { token: user.token });
      expectMatchesSpec('GET', MESSAGES, 503, read);
      expect(read.json.error.code).toBe('unavailable');
      expect(Number(read.headers['retry-after'])).toBeGreaterThanOrEqual(1);

      const send = await transport.request('POST', `/api/rooms/${uniqueRoom()}/messages`, {
        token: user.token,
        body: { text: 'hi', clientId: 'c1' },
      });
      expectMatchesSpec('POST', MESSAGES, 503, send);
      expect(send.json.error.code).toBe('unavailable');
      expect(send.text).not.toMatch(/ECONN|127\.0\.0\.1|socket|stack/i);
    },
  );
});

describe('500 internal: a bug, or here a session key that cannot be read', () => {
  let transports: Transport[];
  beforeAll(async () => {
    // The details of the failure go to the log, which would only clutter the test output here.
    logger.setLogLevel('SILENT');
    // A deployment whose secret holds no usable key: the key is read at the first request that needs it.
    const unusableKey = () => loadSessionKey({ source: 'value', value: 'c2hvcnQ=' });
    transports = await bothOver(loadApp({}, { sessionKey: unusableKey }));
  });
  afterAll(async () => {
    logger.setLogLevel('INFO');
    await Promise.all(transports.map((t) => t.close()));
  });

  it.each(TRANSPORTS)(
    'answers a fixed body with no details on every endpoint that needs the key, through the %s',
    async (name) => {
      const transport = transports.find((t) => t.name === name)!;
      const room = uniqueRoom();
      const answers = [
        ['POST', '/api/login', await transport.request('POST', '/api/login', { body: { name: 'Sam' } })],
        ['GET', '/api/session', await transport.request('GET', '/api/session', { token: 'a.b.c' })],
        ['GET', MESSAGES, await transport.request('GET', `/api/rooms/${room}/messages`, { token: 'a.b.c' })],
        [
          'POST',
          MESSAGES,
          await transport.request('POST', `/api/rooms/${room}/messages`, { token: 'a.b.c', body: { text: 'hi' } }),
        ],
      ] as const;
      for (const [method, path, res] of answers) {
        expectMatchesSpec(method, path, 500, res);
        expect(res.json).toEqual({ error: { code: 'internal', message: 'something went wrong on our side' } });
        expect(res.text).not.toMatch(/CHAT_SESSION_KEY|configuration|Error|at /);
      }
    },
  );
});
