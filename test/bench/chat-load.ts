/**
 * Simulated chat clients: each logs in, polls its room with `after` on a jittered schedule,
 * and some send. Every answer is timed; every page is checked against what was acknowledged
 * (missed, duplicated, out-of-order, wrong text), and each message's delivery latency is
 * the time from its send being acknowledged to each other client first seeing it.
 */
import { randomBytes } from 'node:crypto';
import { type BenchClient, errorKind, failureKind } from './http-client';
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
  readonly pollMs: number[] = [];
  readonly sendMs: number[] = [];
  readonly deliveryMs: number[] = [];
  readonly errors = new Counter();
  polls = 0;
  sends = 0;
  /** Polls that started late because the previous answer took longer than the interval. */
  late = 0;
  startedAt = performance.now();
  endedAt = NaN;
}

export interface WindowReport {
  readonly seconds: number;
  readonly pollsPerSecond: number;
  readonly sendsPerSecond: number;
  readonly poll: Summary;
  readonly send: Summary;
  readonly delivery: Summary;
  readonly errors: Record<string, number>;
  readonly errorCount: number;
  readonly latePolls: number;
}

export function report(rec: Recorder): WindowReport {
  const seconds = ((Number.isNaN(rec.endedAt) ? performance.now() : rec.endedAt) - rec.startedAt) / 1000;
  return {
    seconds: Number(seconds.toFixed(1)),
    pollsPerSecond: Math.round(rec.polls / seconds),
    sendsPerSecond: Math.round(rec.sends / seconds),
    poll: summarize(rec.pollMs),
    send: summarize(rec.sendMs),
    delivery: summarize(rec.deliveryMs),
    errors: rec.errors.toJSON(),
    errorCount: rec.errors.total(),
    latePolls: rec.late,
  };
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
      const reply = await http.call('POST', '/api/login', undefined, { name: `bench ${i}` });
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
  page: { messages: { id: number; text: string }[]; lastId: number },
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
      // Seen before its sender heard back counts as delivered at once.
      if (sent?.sender !== client.index) rec.deliveryMs.push(sent ? Math.max(0, at - sent.at) : 0);
    }
    previous = m.id;
  }
  client.lastId = page.lastId;
}

export interface LoadOptions {
  readonly http: BenchClient;
  readonly clients: readonly ChatClient[];
  /** Each client polls about this often (±10%), or at once when more is waiting. */
  readonly pollIntervalMs: number;
  readonly senders?: readonly ChatClient[];
  readonly sendIntervalMs?: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Called when the measured window starts and ends, e.g. to read CPU counters. */
  readonly onWindow?: (edge: 'start' | 'end') => void;
}

/**
 * Runs the clients for a warm-up and a measured window, then stops them and waits for the
 * answers still on their way. Returns what the measured window saw.
 */
export async function runLoad(options: LoadOptions): Promise<Recorder> {
  const { http } = options;
  const begin = performance.now();
  const measureFrom = begin + options.warmupMs;
  const until = measureFrom + options.measureMs;
  let rec = new Recorder();
  const windowTimer = setTimeout(() => {
    rec = new Recorder();
    options.onWindow?.('start');
  }, options.warmupMs);

  const poller = async (client: ChatClient) => {
    let next = performance.now() + Math.random() * options.pollIntervalMs;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const r = rec;
      let more = false;
      try {
        const reply = await http.call(
          'GET',
          `/api/rooms/${client.room.name}/messages?after=${client.lastId}&limit=200`,
          client.user.token,
        );
        if (reply.status === 200) {
          r.polls++;
          r.pollMs.push(reply.ms);
          take(client, reply.json, performance.now(), r);
          more = reply.json.hasMore === true;
        } else r.errors.add(`poll ${errorKind(reply)}`);
      } catch (error) {
        r.errors.add(`poll ${failureKind(error)}`);
      }
      const now = performance.now();
      next = more ? now : next + jitter(options.pollIntervalMs);
      if (next < now) {
        r.late++;
        next = now;
      }
    }
  };

  const sender = async (client: ChatClient, every: number) => {
    let next = performance.now() + Math.random() * every;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const r = rec;
      await send(http, client, r);
      next = Math.max(performance.now(), next + jitter(every));
    }
  };

  await Promise.all([
    ...options.clients.map(poller),
    ...(options.senders ?? []).map((s) => sender(s, options.sendIntervalMs ?? 1000)),
  ]);
  clearTimeout(windowTimer);
  rec.endedAt = Math.min(performance.now(), until);
  options.onWindow?.('end');
  return rec;
}

/** One send with a fresh clientId; an acknowledged one is remembered for the integrity checks. */
export async function send(http: BenchClient, client: ChatClient, rec: Recorder): Promise<void> {
  const n = ++client.sent;
  const text = `message ${n} from client ${client.index}: the quick brown fox jumps over the lazy dog`;
  try {
    const reply = await http.call('POST', `/api/rooms/${client.room.name}/messages`, client.user.token, {
      text,
      clientId: `b${client.index}-${n}`,
    });
    if (reply.status === 201 || reply.status === 200) {
      client.room.acknowledged.set(reply.json.id, { text, at: performance.now(), sender: client.index });
      rec.sends++;
      rec.sendMs.push(reply.ms);
    } else rec.errors.add(`send ${errorKind(reply)}`);
  } catch (error) {
    rec.errors.add(`send ${failureKind(error)}`);
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
