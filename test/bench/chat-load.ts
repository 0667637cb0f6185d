/**
 * Simulated chat clients: each logs in, polls its room with `after` on a jittered schedule,
 * and some send. Every answer is timed; every page is checked against what was acknowledged
 * (missed, duplicated, out-of-order, wrong text), and each message's delivery latency is
 * the time from its send being acknowledged to each other client first seeing it.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type BenchClient, errorClass, errorKind, failureKind, type Reply, RequestFailed } from './http-client';
import { Counter, summarize, type Summary } from './stats';

export interface BenchUser {
  readonly token: string;
  readonly uid: string;
}

export class Room {
  /** Acknowledged messages: id → text, when the sender heard back, and who sent it. */
  readonly acknowledged = new Map<number, { text: string; at: number; sender: number }>();
  constructor(readonly name: string) {}
  maxAcknowledged(): number {
    let max = 0;
    for (const id of this.acknowledged.keys()) max = Math.max(max, id);
    return max;
  }
}

export interface Integrity {
  missed: number;
  duplicated: number;
  outOfOrder: number;
  wrongText: number;
}

export class ChatClient {
  lastId = 0;
  /** Highest id this client has been given. */
  lastSeen = 0;
  sent = 0;
  readonly integrity: Integrity = { missed: 0, duplicated: 0, outOfOrder: 0, wrongText: 0 };
  constructor(
    readonly index: number,
    readonly user: BenchUser,
    readonly room: Room,
  ) {}
}

/** What one measured window saw. */
export class Recorder {
  /** Answered polls (200): from the request to the end of the answer, holding time included. */
  readonly pollMs: number[] = [];
  readonly sendMs: number[] = [];
  readonly deliveryMs: number[] = [];
  /** 503 answers (shed, polls and sends): how long the client waited for them. */
  readonly shedMs: number[] = [];
  readonly errors = new Counter();
  polls = 0;
  /** Polls asked, whatever came back (the load the generator offered). */
  pollAttempts = 0;
  sends = 0;
  sendAttempts = 0;
  /** Polls that started late because the previous answer took longer than the interval. */
  late = 0;
  startedAt = performance.now();
  endedAt = NaN;
}

export interface WindowReport {
  readonly seconds: number;
  /** Polls answered 200 per second. */
  readonly pollsPerSecond: number;
  /** Polls asked per second, whatever the answer. */
  readonly pollAttemptsPerSecond: number;
  readonly sendsPerSecond: number;
  readonly sendAttemptsPerSecond: number;
  readonly poll: Summary;
  readonly send: Summary;
  readonly delivery: Summary;
  /** The 503 answers' latency. */
  readonly shed: Summary;
  readonly errors: Record<string, number>;
  readonly errorCount: number;
  /** Errors as 503 shed / generator timeouts / anything else. */
  readonly errorClasses: Record<ErrorClass, number>;
  readonly latePolls: number;
}

type ErrorClass = ReturnType<typeof errorClass>;

export function classify(errors: Record<string, number>): Record<ErrorClass, number> {
  const out: Record<ErrorClass, number> = { shed: 0, timeout: 0, other: 0 };
  for (const [label, n] of Object.entries(errors)) out[errorClass(label)] += n;
  return out;
}

export function report(rec: Recorder): WindowReport {
  const seconds = ((Number.isNaN(rec.endedAt) ? performance.now() : rec.endedAt) - rec.startedAt) / 1000;
  const errors = rec.errors.toJSON();
  return {
    seconds: Number(seconds.toFixed(1)),
    pollsPerSecond: Math.round(rec.polls / seconds),
    pollAttemptsPerSecond: Math.round(rec.pollAttempts / seconds),
    sendsPerSecond: Math.round(rec.sends / seconds),
    sendAttemptsPerSecond: Math.round(rec.sendAttempts / seconds),
    poll: summarize(rec.pollMs),
    send: summarize(rec.sendMs),
    delivery: summarize(rec.deliveryMs),
    shed: summarize(rec.shedMs),
    errors,
    errorCount: rec.errors.total(),
    errorClasses: classify(errors),
    latePolls: rec.late,
  };
}

/** `shed 3 / timeout 0 / other 1`, or `none`. */
export function errorClassText(errors: Record<string, number>): string {
  const c = classify(errors);
  return c.shed + c.timeout + c.other === 0 ? 'none' : `503 ${c.shed} / timeout ${c.timeout} / other ${c.other}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = (ms: number) => ms * (0.9 + 0.2 * Math.random());

export const benchRoom = (label: string): Room => new Room(`bench-${label}-${randomBytes(4).toString('hex')}`);

/** Logs in `count` users, `concurrency` at a time. */
export async function loginMany(http: BenchClient, count: number, concurrency = 32): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      let reply = await http.call('POST', '/api/login', undefined, { name: `bench ${i}` });
      // A server that is starting, or busy, sheds with 503 + Retry-After: ask again, a few times.
      for (let tries = 1; reply.status === 503 && tries < 20; tries++) {
        await sleep(retryAfterMs(reply));
        reply = await http.call('POST', '/api/login', undefined, { name: `bench ${i}` });
      }
      if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.json)}`);
      users[i] = { token: reply.json.token, uid: reply.json.uid };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

/** Spreads users over rooms of `perRoom` clients each. */
export function seat(users: readonly BenchUser[], perRoom: number, label: string): ChatClient[] {
  const rooms: Room[] = [];
  return users.map((user, i) => {
    if (i % perRoom === 0) rooms.push(benchRoom(label));
    return new ChatClient(i, user, rooms[rooms.length - 1]!);
  });
}

/** Checks one page against what the client had and what was acknowledged. */
function take(
  client: ChatClient,
  page: { messages: { id: number; text: string; uid: string }[]; lastId: number },
  at: number,
  rec: Recorder,
): void {
  let previous = client.lastId;
  for (const m of page.messages) {
    if (m.id < previous) client.integrity.outOfOrder++;
    else if (m.id <= client.lastSeen) client.integrity.duplicated++;
    else {
      if (m.id > client.lastSeen + 1) client.integrity.missed += m.id - client.lastSeen - 1;
      client.lastSeen = m.id;
      const sent = client.room.acknowledged.get(m.id);
      if (sent && sent.text !== m.text) client.integrity.wrongText++;
      // A client's own messages are not deliveries; one seen before its sender heard back
      // counts as delivered at once. Messages acknowledged before the measured window began
      // (e.g. while clients were still arriving) are checked but not timed.
      if (m.uid !== client.user.uid && !(sent && sent.at < rec.startedAt))
        rec.deliveryMs.push(sent ? Math.max(0, at - sent.at) : 0);
    }
    previous = m.id;
  }
  client.lastId = page.lastId;
}

export interface LoadOptions {
  readonly http: BenchClient;
  readonly clients: readonly ChatClient[];
  /** Each client polls about this often (±10%), or at once when more is waiting. Ignored when long-polling. */
  readonly pollIntervalMs: number;
  /**
   * Long-poll instead: every poll asks `wait=<waitS>` and the next one follows the answer's
   * `pollAfterMs` (0 after a held poll: at once); a 503 is asked again after its Retry-After.
   * Held polls still open when the run ends are abandoned (not counted).
   */
  readonly waitS?: number;
  /**
   * Short polls: after a 503, back off as the page does (web/src/poll-scheduler.ts: the
   * longer of Retry-After and an exponential backoff with equal jitter, 1 s at first, per
   * failure in a row) instead of keeping the schedule (the default: the offered load stays).
   */
  readonly honourRetryAfter?: boolean;
  /** Long-polling clients start spread over this long (default 1 s), not all in one tick. */
  readonly rampMs?: number;
  /** Kept up to date with the polls in flight (held polls, when long-polling). */
  readonly gauge?: { inFlight: number };
  readonly senders?: readonly ChatClient[];
  readonly sendIntervalMs?: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Called when the measured window starts and ends, e.g. to read CPU counters. */
  readonly onWindow?: (edge: 'start' | 'end') => void;
}

const pollPath = (client: ChatClient, waitS: number | undefined) =>
  `/api/rooms/${client.room.name}/messages?after=${client.lastId}&limit=200${waitS === undefined ? '' : `&wait=${waitS}`}`;

/** Retry-After in ms (1 s when missing or unreadable). */
function retryAfterMs(reply: Reply): number {
  const seconds = Number(reply.headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

/**
 * Runs the clients for a warm-up and a measured window, then stops them and waits for the
 * answers still on their way. Returns what the measured window saw.
 */
export async function runLoad(options: LoadOptions): Promise<Recorder> {
  const { http, waitS } = options;
  // One connection per client and sender, opened ahead a batch at a time (see preconnect).
  await http.preconnect(options.clients.length + (options.senders?.length ?? 0));
  const begin = performance.now();
  const measureFrom = begin + options.warmupMs;
  const until = measureFrom + options.measureMs;
  let rec = new Recorder();
  const windowTimer = setTimeout(() => {
    rec = new Recorder();
    options.onWindow?.('start');
  }, options.warmupMs);
  // Ends the held polls still open when the run is over.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per request in flight
  const stopTimer = setTimeout(() => stop.abort(), until - begin);

  /** Asks once; true when the answer says more is waiting. */
  const pollOnce = async (
    client: ChatClient,
  ): Promise<{ more: boolean; againInMs: number | undefined; shedForMs?: number }> => {
    const asked = rec;
    asked.pollAttempts++;
    if (options.gauge) options.gauge.inFlight++;
    // Answers count in the window they arrive in (a held poll may have been asked before it began).
    let r = rec;
    try {
      const reply = await http.call('GET', pollPath(client, waitS), client.user.token, undefined, stop.signal);
      r = rec;
      if (reply.status === 200) {
        r.polls++;
        r.pollMs.push(reply.ms);
        take(client, reply.json, performance.now(), r);
        const after = Number(reply.json.pollAfterMs);
        return { more: reply.json.hasMore === true, againInMs: Number.isFinite(after) ? after : 0 };
      }
      r.errors.add(`poll ${errorKind(reply)}`);
      if (reply.status !== 503) return { more: false, againInMs: retryAfterMs(reply) };
      r.shedMs.push(reply.ms);
      return { more: false, againInMs: retryAfterMs(reply), shedForMs: retryAfterMs(reply) };
    } catch (error) {
      r = rec;
      if (error instanceof RequestFailed && error.kind === 'aborted') {
        asked.pollAttempts--; // abandoned at the end of the run: neither served nor failed
        return { more: false, againInMs: 0 };
      }
      r.errors.add(`poll ${failureKind(error)}`);
      return { more: false, againInMs: 1000 };
    } finally {
      if (options.gauge) options.gauge.inFlight--;
    }
  };

  const poller = async (client: ChatClient) => {
    let next = performance.now() + Math.random() * options.pollIntervalMs;
    let failures = 0;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const { more, shedForMs } = await pollOnce(client);
      const now = performance.now();
      next = more ? now : next + jitter(options.pollIntervalMs);
      failures = shedForMs === undefined ? 0 : failures + 1;
      if (shedForMs !== undefined && options.honourRetryAfter) {
        const backoff = Math.min(30_000, 1000 * 2 ** (failures - 1));
        next = Math.max(next, now + Math.max(backoff / 2 + (backoff / 2) * Math.random(), shedForMs));
      }
      if (next < now) {
        rec.late++;
        next = now;
      }
    }
  };

  const longPoller = async (client: ChatClient) => {
    // Clients arrive spread over the ramp, not all in one tick.
    await sleep(Math.random() * (options.rampMs ?? 1000));
    while (performance.now() < until && !stop.signal.aborted) {
      const { againInMs } = await pollOnce(client);
      const left = until - performance.now();
      if (againInMs && againInMs > 0 && left > 0) await sleep(Math.min(againInMs, left));
    }
  };

  const sender = async (client: ChatClient, every: number) => {
    let next = performance.now() + Math.random() * every;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      await send(http, client, () => rec);
      next = Math.max(performance.now(), next + jitter(every));
    }
  };

  await Promise.all([
    ...options.clients.map(waitS === undefined ? poller : longPoller),
    ...(options.senders ?? []).map((s) => sender(s, options.sendIntervalMs ?? 1000)),
  ]);
  clearTimeout(windowTimer);
  clearTimeout(stopTimer);
  rec.endedAt = Math.min(performance.now(), until);
  options.onWindow?.('end');
  return rec;
}

/** One send with a fresh clientId; an acknowledged one is remembered for the integrity checks. */
export async function send(http: BenchClient, client: ChatClient, into: Recorder | (() => Recorder)): Promise<void> {
  // The recorder current when the answer comes (a window may begin while a send is on its way).
  const current = typeof into === 'function' ? into : () => into;
  const n = ++client.sent;
  const text = `message ${n} from client ${client.index}: the quick brown fox jumps over the lazy dog`;
  current().sendAttempts++;
  let rec = current();
  try {
    const reply = await http.call('POST', `/api/rooms/${client.room.name}/messages`, client.user.token, {
      text,
      clientId: `b${client.index}-${n}`,
    });
    rec = current();
    if (reply.status === 201 || reply.status === 200) {
      client.room.acknowledged.set(reply.json.id, { text, at: performance.now(), sender: client.index });
      rec.sends++;
      rec.sendMs.push(reply.ms);
    } else {
      rec.errors.add(`send ${errorKind(reply)}`);
      if (reply.status === 503) rec.shedMs.push(reply.ms);
    }
  } catch (error) {
    current().errors.add(`send ${failureKind(error)}`);
  }
}

/**
 * After the load: every client polls until it holds its room's last acknowledged message,
 * then anything acknowledged that it never got counts as missed. Returns the totals.
 */
export async function settle(
  http: BenchClient,
  clients: readonly ChatClient[],
  deadlineMs = 60_000,
): Promise<Integrity & { clients: number }> {
  const deadline = performance.now() + deadlineMs;
  const scratch = new Recorder();
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++]!;
      const target = client.room.maxAcknowledged();
      while (performance.now() < deadline) {
        try {
          const reply = await http.call(
            'GET',
            `/api/rooms/${client.room.name}/messages?after=${client.lastId}&limit=200`,
            client.user.token,
          );
          if (reply.status === 200) {
            take(client, reply.json, performance.now(), scratch);
            if (!reply.json.hasMore && client.lastId >= target) break;
          }
        } catch {
          await sleep(50);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const total: Integrity & { clients: number } = {
    missed: 0,
    duplicated: 0,
    outOfOrder: 0,
    wrongText: 0,
    clients: clients.length,
  };
  for (const c of clients) {
    for (const id of c.room.acknowledged.keys()) if (id > c.lastSeen) c.integrity.missed++;
    total.missed += c.integrity.missed;
    total.duplicated += c.integrity.duplicated;
    total.outOfOrder += c.integrity.outOfOrder;
    total.wrongText += c.integrity.wrongText;
  }
  return total;
}

export const integrityText = (i: Integrity): string =>
  `${i.missed} / ${i.duplicated} / ${i.outOfOrder}${i.wrongText ? ` (wrong text ${i.wrongText})` : ''}`;
