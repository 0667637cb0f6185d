/**
 * The heart of the product: however many writers race, every poller that always asks for
 * "after the highest id I hold" ends with ids 1..N exactly, in order, and the stored set
 * equals the acknowledged set; with short polls and with held (long) polls, as the sole
 * writer of the store and on a store that other instances write to.
 */
import { call, loadApp, login, uniqueRoom, type App } from '#test/support/app';

const SENDERS = 16;
const PER_SENDER = 50;
const POLLERS = 4;

interface Poller {
  ids: number[];
  lastId: number;
  polls: number;
}

interface RaceOptions {
  readonly perSender?: number;
  /** Seconds each poll may be held; 0: short polls. */
  readonly wait?: number;
  readonly pollers?: number;
}

async function pollUntil(
  app: App,
  token: string,
  room: string,
  poller: Poller,
  done: () => boolean,
  wait: number,
): Promise<void> {
  const held = wait > 0 ? `&wait=${wait}` : '';
  for (;;) {
    const finished = done(); // read before the poll, so the last poll sees every acknowledged message
    const res = await call(app, 'GET', `/api/rooms/${room}/messages?after=${poller.lastId}&limit=200${held}`, {
      token,
    });
    poller.polls++;
    expect(res.status).toBe(200);
    for (const m of res.json.messages) poller.ids.push(m.id);
    poller.lastId = res.json.lastId;
    if (finished && !res.json.hasMore) return;
  }
}

async function race(apps: App[], pollApp: App, options: RaceOptions = {}): Promise<void> {
  const { perSender = PER_SENDER, wait = 0, pollers: pollerCount = POLLERS } = options;
  const room = uniqueRoom('race');
  const writers = await Promise.all(apps.map((app) => login(app)));
  const reader = await login(pollApp);
  const acknowledged: { id: number; text: string }[] = [];
  let sendersDone = false;

  let unavailable = 0;
  const send = async (i: number) => {
    const app = apps[i % apps.length]!;
    const { token } = writers[i % writers.length]!;
    for (let n = 0; n < perSender; n++) {
      const text = `sender ${i} message ${n}`;
      // As a careful client does: a 503 is repeated with the same clientId until it is acknowledged.
      for (;;) {
        const res = await call(app, 'POST', `/api/rooms/${room}/messages`, {
          token,
          body: { text, clientId: `c${i}-${n}` },
        });
        if (res.status === 503) {
          unavailable++;
          continue;
        }
        expect(res.status).toBe(201);
        acknowledged.push({ id: res.json.id, text });
        break;
      }
    }
  };
  const pollers: Poller[] = Array.from({ length: pollerCount }, () => ({ ids: [], lastId: 0, polls: 0 }));
  const polling = pollers.map((p) => pollUntil(pollApp, reader.token, room, p, () => sendersDone, wait));
  await Promise.all(Array.from({ length: SENDERS }, (_, i) => send(i)));
  sendersDone = true;
  await Promise.all(polling);
  if (unavailable > 0) console.info(`${unavailable} sends answered 503 under contention and were repeated`);
  if (wait > 0) console.info(`${pollers.reduce((n, p) => n + p.polls, 0)} held polls by ${pollers.length} pollers`);

  const total = SENDERS * perSender;
  const expected = Array.from({ length: total }, (_, i) => i + 1);
  for (const p of pollers) expect(p.ids).toEqual(expected);
  expect(acknowledged.map((a) => a.id).sort((a, b) => a - b)).toEqual(expected);

  // The stored set is the acknowledged set: every id holds the text acknowledged for it.
  const stored = new Map<number, string>();
  for (let after = 0; after < total; ) {
    const res = await call(pollApp, 'GET', `/api/rooms/${room}/messages?after=${after}&limit=200`, {
      token: reader.token,
    });
    for (const m of res.json.messages) stored.set(m.id, m.text);
    after = res.json.lastId;
  }
  expect(stored.size).toBe(total);
  for (const a of acknowledged) expect(stored.get(a.id)).toBe(a.text);
}

describe('the message log under racing writers', () => {
  it('delivers ids 1..N to every poller when 16 senders share one instance and its group commit', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0' });
    await race([app], app);
  }, 120_000);

  it('delivers ids 1..N to every poller when writers in 16 separate instances race for each id', async () => {
    // Each loaded app has its own store client, head cache and send queue, like a Lambda
    // instance. Every send races the others for the same id on DynamoDB Local, which is slow,
    // so this run is shorter; it is about losing races safely, not about speed.
    const apps = Array.from({ length: SENDERS }, () => loadApp({ CHAT_SEND_RATE: '0' }));
    await race(apps, loadApp({ CHAT_SEND_RATE: '0' }), { perSender: 12 });
  }, 120_000);

  it('delivers ids 1..N to every long-polling poller of the sole writer, which answers them from memory', async () => {
    const app = loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' });
    await race([app], app, { wait: 2, pollers: 32 });
  }, 120_000);

  it('delivers ids 1..N to pollers long-polling on one instance while others write the shared store', async () => {
    // The pollers' instance hears of no append: it finds them by re-checking the store.
    const writers = Array.from({ length: 4 }, () => loadApp({ CHAT_SEND_RATE: '0' }));
    const pollApp = loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0', CHAT_WAIT_CHECK_MS: '100' });
    await race(writers, pollApp, { perSender: 20, wait: 2, pollers: 6 });
  }, 120_000);
});
