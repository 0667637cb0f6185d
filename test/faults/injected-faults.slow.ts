/**
 * Chat clients through every fault the local server can inject between the handlers and the
 * store (lib/local/store-faults.ts): while the store is down, slow or throttling, clients see
 * 503 `unavailable` with Retry-After and never a 500; once it recovers, every acknowledged
 * message is delivered to every poller exactly once, in id order, and every send that a
 * client repeated is stored once.
 */
import { startStoreFaultProxy, type StoreFaultProxy } from '#test/tools/store-faults';
import { call, loadApp, login, startLocalServer, uniqueRoom } from '#test/support/app';
import {
  loginOver,
  newTally,
  pollUntil,
  range,
  readRoom,
  sendUntilAcknowledged,
  sleep,
  type Acknowledged,
  type Poller,
  type Tally,
} from './chat-clients';

const SENDERS = 3;
const POLLERS = 2;
const BEFORE = 3;
const AFTER = 2;

let proxy: StoreFaultProxy;
let base: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  proxy = await startStoreFaultProxy(process.env.DYNAMODB_ENDPOINT!);
  // No send limit: its store update would meet a fault first and spare the message log's writes.
  const app = loadApp({ DYNAMODB_ENDPOINT: proxy.endpoint, CHAT_SEND_RATE: '0' });
  const server = await startLocalServer(app);
  base = server.url;
  closeServer = server.close;
});

afterEach(() => proxy.set('off'));

afterAll(async () => {
  await closeServer();
  await proxy.close();
});

interface Run {
  readonly acknowledged: Acknowledged[];
  readonly pollers: Poller[];
  readonly stored: { id: number; text: string; clientId?: string }[];
  readonly during: Tally;
  readonly overall: Tally;
}

/**
 * Senders and pollers in one room: some messages before the fault, senders and pollers
 * carrying on through `faultMs` of the fault, then the store recovers and each sender
 * finishes its message in hand and sends a few more.
 */
async function chatThrough(fault: string, faultMs: number): Promise<Run> {
  const room = uniqueRoom('fault');
  const senders = await Promise.all(range(1, SENDERS).map((i) => loginOver(base, `sender ${i}`)));
  const reader = await loginOver(base, 'reader');
  const acknowledged: Acknowledged[] = [];
  const overall = newTally();
  const during = newTally();
  let phase: 'before' | 'fault' | 'after' = 'before';
  let sendersDone = false;

  const sender = async (token: string, i: number) => {
    let n = 0;
    const next = async () => {
      n++;
      const tally = phase === 'fault' ? during : overall;
      acknowledged.push(
        await sendUntilAcknowledged(base, token, room, `sender ${i} message ${n}`, `s${i}-${n}`, tally),
      );
    };
    while (n < BEFORE) await next();
    while (phase !== 'after') await next();
    for (let extra = 0; extra < AFTER; extra++) await next();
  };

  const pollers: Poller[] = range(1, POLLERS).map(() => ({ lastId: 0, seen: [] }));
  const polling = pollers.map((p) => pollUntil(base, reader, room, p, overall, () => sendersDone));
  const sending = Promise.all(senders.map((token, i) => sender(token, i + 1)));

  while (acknowledged.length < SENDERS * BEFORE) await sleep(10);
  await proxy.set(fault);
  phase = 'fault';
  // During the fault, a separate poller keeps count of what clients are answered.
  const faultPoller: Poller = { lastId: 0, seen: [] };
  let faultOver = false;
  const faultPolling = pollUntil(base, reader, room, faultPoller, during, () => faultOver);
  await sleep(faultMs);
  await proxy.set('off');
  phase = 'after';
  faultOver = true;
  await sending;
  sendersDone = true;
  await Promise.all([...polling, faultPolling]);

  const stored = await readRoom(base, reader, room);
  for (const [status, count] of Object.entries(during.statuses))
    overall.statuses[Number(status)] = (overall.statuses[Number(status)] ?? 0) + count;
  overall.improper.push(...during.improper);
  return { acknowledged, pollers, stored, during, overall };
}

/** The properties every fault must keep. */
function expectExactlyOnce(run: Run): void {
  const { acknowledged, pollers, stored, overall } = run;
  expect(overall.improper).toEqual([]);
  expect(overall.statuses[500] ?? 0).toBe(0);

  // Every logical message was acknowledged once and stored once: ids 1..N, no gaps, no repeats.
  const n = acknowledged.length;
  expect(n).toBeGreaterThanOrEqual(SENDERS * (BEFORE + AFTER));
  expect(acknowledged.map((a) => a.id).sort((a, b) => a - b)).toEqual(range(1, n));
  expect(stored.map((m) => m.id)).toEqual(range(1, n));
  const byId = new Map(stored.map((m) => [m.id, m]));
  for (const a of acknowledged) {
    expect(byId.get(a.id)?.text).toBe(a.text);
    expect(byId.get(a.id)?.clientId).toBe(a.clientId);
  }
  // Every poller was given each id exactly once, in order.
  for (const p of pollers) expect(p.seen).toEqual(range(1, n));
}

describe('chat clients through an injected store fault', () => {
  // The store client retries throttling with a longer backoff, so a throttle must last longer to reach clients.
  it.each([
    ['unavailable', 'connection refused: the store is down', 1500],
    ['unavailable:reset', 'connections reset before the store sees the request', 1500],
    ['unavailable:503', 'the store answers 503 ServiceUnavailable', 1500],
    ['throttle', 'the store throttles every request', 3000],
    ['lost-reply', 'the store does the work but every answer is lost', 1500],
  ])(
    '%s (%s): 503 with Retry-After while it lasts, each message exactly once after',
    async (fault, _what, faultMs) => {
      const run = await chatThrough(fault, faultMs);

      expectExactlyOnce(run);
      // The fault bit: clients were told to come back later, and nothing was acknowledged meanwhile
      // that the store had not kept.
      expect(run.during.statuses[503] ?? 0).toBeGreaterThan(0);
      expect(Object.keys(run.during.statuses).filter((s) => s !== '503' && s !== '200' && s !== '201')).toEqual([]);
    },
    60_000,
  );

  it.each([
    ['throttle@0.3', 'a third of requests throttled'],
    ['lost-reply@0.3', 'a third of answers lost after the work was done'],
  ])(
    '%s (%s): every send still lands exactly once',
    async (fault) => {
      const run = await chatThrough(fault, 1500);

      expectExactlyOnce(run);
      expect(proxy.counts().injected).toBeGreaterThan(0);
    },
    60_000,
  );

  it('slow:300 (every answer 300 ms late): slower, but nothing fails and nothing is lost', async () => {
    const injectedBefore = proxy.counts().injected;

    const run = await chatThrough('slow:300', 1500);

    expectExactlyOnce(run);
    expect(run.overall.statuses[503] ?? 0).toBe(0);
    expect(proxy.counts().injected).toBeGreaterThan(injectedBefore);
  }, 60_000);

  it('a store slower than the client timeout: the send answers 503, and its repeat finds the message it had stored', async () => {
    // The store keeps the message but its answers arrive after the store client has given up.
    // No send limit, and a first message to make the room's head known, so that the slow
    // request is the message's own write.
    const app = loadApp({ DYNAMODB_ENDPOINT: proxy.endpoint, CHAT_SEND_RATE: '0' });
    const room = uniqueRoom('late');
    const { token } = await login(app);
    const send = () =>
      call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'late but kept', clientId: 'late-1' } });
    expect((await call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: 'first' } })).status).toBe(
      201,
    );
    await proxy.set('slow:3500');

    const [first, poll] = await Promise.all([
      send(),
      call(app, 'GET', `/api/rooms/${room}/messages?after=0`, { token }),
    ]);
    await proxy.set('off');
    const repeat = await send();
    const stored = await readRoom(base, token, room);

    for (const answer of [first, poll]) {
      expect(answer.status).toBe(503);
      expect(answer.json.error.code).toBe('unavailable');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(repeat.status).toBe(200);
    expect(stored.map((m) => [m.id, m.text])).toEqual([
      [1, 'first'],
      [2, 'late but kept'],
    ]);
    expect(repeat.json).toEqual(stored[1]);
  }, 60_000);
});
