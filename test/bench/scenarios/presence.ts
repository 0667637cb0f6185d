/**
 * Room state (v2): who is here and who is typing, in one busy room, in two parts.
 *
 * 1. Live, on the local server: 200 logged-in users in one room, each holding
 *    `wait=25&state=<room.state>` polls and asking again as each answer's `pollAfterMs` says
 *    (0 after a held poll: at once), each sending `{}` every 30 s (staggered), and 20 of them
 *    typing now and then: a burst is `{"typing": true}`, again every 3 s while it lasts (3–9 s),
 *    then a message or `{"typing": false}`; 5–20 s between bursts. The schedule comes from a
 *    seeded generator, so runs are comparable. Measured: presence calls, messages and poll
 *    answers per second; the delivery of each typing change (start and stop) to each of the other
 *    199, from the answer to the call that made it (the presence call, or the message that ends
 *    the typing) to the first poll answer whose `room.present` shows it, and the deliveries
 *    missed; answers that showed nothing new; the size of `room` in the answers. Loopback only;
 *    every loop is bounded in time and stops by itself.
 *
 * 2. Store cost on a shared store: the handlers in this process on DynamoDB Local with
 *    CHAT_SOLE_WRITER=0 (presence in the room's state item, as in AWS), every request asked for
 *    its consumed capacity (ReturnConsumedCapacity: TOTAL) by a middleware on the store client,
 *    as in store-cost.ts. A room where 200 came and 20 are typing: the read units of a poll, the
 *    writes of each presence call, the state item's size; and from those, the store requests and
 *    units per minute of a visible, an idle and a typing user.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '#lib/config';
import { createServices } from '#lib/services';
import { createHandlers } from '#http/handlers';
import { roomKey } from '#aws/table';
import { STATE_SK } from '#chat/presence/state-item';
import { apiEvent } from '#test/support/app';
import { benchRoom, type BenchUser, errorClassText, loginMany } from '../chat-load';
import { BenchClient, errorKind, failureKind, type Reply, RequestFailed } from '../http-client';
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { Counter, latencies, ms, round, summarize, type Summary, table } from '../stats';
import { countRequests } from '#test/support/store-requests';
import { meanCost, type Operations, operationsText, WindowCount } from '../store-count';

const USERS = 200;
const TYPERS = 20;
const WAIT_S = 25;
/** A held poll may take WAIT_S; the generator gives up 10 s after that. */
const LONG_TIMEOUT_MS = (WAIT_S + 10) * 1000;
/** Every user says `{}` this often (its first one before the window, the next ones staggered). */
const HERE_EVERY_MS = 30_000;
/** While a burst lasts, `{"typing": true}` again this often (typing lasts 6 s after each). */
const TYPING_REPEAT_MS = 3000;
const BURST_MS = [3000, 9000] as const;
const PAUSE_MS = [5000, 20_000] as const;
/** The share of bursts that end with a message (the others with `{"typing": false}`). */
const MESSAGE_SHARE = 0.5;
const SEED = 20261202;
/** Polls go on this long after the last typing change, so that it can arrive everywhere. */
const TAIL_MS = 3000;
/** An answer this close to the end of the wait (or later) ended by its timeout. */
const TIMEOUT_SLACK_MS = 1000;

export async function presence(ctx: BenchContext): Promise<ScenarioResult> {
  const live = await livePart(ctx);
  await pause(1000);
  const store = await storePart(ctx);
  return {
    title: `Room state (v2): presence, ${USERS} users in one room, ${TYPERS} typing now and then`,
    text: `${live.text}\n\n${store.text}`,
    data: { live: live.data, store: store.data },
  };
}

// --- Part 1: live, over HTTP ------------------------------------------------------------

/** mulberry32: a small seeded generator, so that two runs make the same bursts and pauses. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random: () => number, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * random();
const sleep = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, msToWait)));
const sleepUntil = (at: number) => sleep(at - performance.now());

/** Retry-After in ms (1 s when missing or unreadable). */
function retryAfterMs(reply: Reply): number {
  const seconds = Number(reply.headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

interface PresentPerson {
  readonly uid: string;
  readonly name: string;
  readonly typing: boolean;
}

interface RoomJson {
  readonly state: string;
  readonly presentCount: number;
  readonly present: readonly PresentPerson[];
}

/** One typing change someone made: a start (`typing: true`) or a stop (`typing: false`, or a message). */
interface TypingChange {
  readonly uid: string;
  readonly typing: boolean;
  readonly by: 'typing' | 'stopped' | 'message';
  /** When the call that makes it was sent, and when its answer came (NaN until then). */
  readonly sentAt: number;
  answeredAt: number;
  /** The call failed: the change did not happen, and nobody is expected to see it. */
  failed: boolean;
  /** Made inside the measured window. */
  readonly measured: boolean;
  delivered: number;
  /** Users who saw a later change of the same person first (this one never showed to them). */
  superseded: number;
}

interface Viewer {
  readonly index: number;
  readonly user: BenchUser;
  lastId: number;
  state: string | undefined;
  /** The last `room` seen without its state, to tell a visible change from an invisible one. */
  view: string;
  /** Per typing user, the first of their changes this viewer has not seen yet. */
  readonly next: Map<string, number>;
}

interface LiveTally {
  pollAnswers: number;
  /** Answers with a message after the cursor. */
  withMessages: number;
  /** Answers whose room state differs from the one sent, and whose view differs from the last. */
  stateChanged: number;
  /** Answers whose room state differs from the one sent while `present` and `presentCount` are as before. */
  stateChangedViewSame: number;
  /** Held polls that ended by their timeout. */
  timedOut: number;
  /** Answers before the end of the wait with no message and the state sent: woke with nothing to show. */
  wokeEmpty: number;
  /** Answers that carried no `room`. */
  withoutRoom: number;
  presenceCalls: Counter;
  messages: number;
  readonly presenceMs: number[];
  readonly sendMs: number[];
  readonly roomBytes: number[];
  presentCountMax: number;
  presentShownMax: number;
  /** Every room state the answers showed. */
  readonly states: Set<string>;
  readonly errors: Counter;
}

const newTally = (): LiveTally => ({
  pollAnswers: 0,
  withMessages: 0,
  stateChanged: 0,
  stateChangedViewSame: 0,
  timedOut: 0,
  wokeEmpty: 0,
  withoutRoom: 0,
  presenceCalls: new Counter(),
  messages: 0,
  presenceMs: [],
  sendMs: [],
  roomBytes: [],
  presentCountMax: 0,
  presentShownMax: 0,
  states: new Set(),
  errors: new Counter(),
});

interface LiveData {
  readonly users: number;
  readonly typers: number;
  readonly mode: string;
  readonly seed: number;
  readonly seconds: number;
  readonly presenceCallsPerSecond: number;
  readonly presenceCallsByKind: Record<string, number>;
  readonly messagesPerSecond: number;
  readonly pollAnswersPerSecond: number;
  readonly presenceCall: Summary;
  readonly send: Summary;
  readonly changes: { starts: number; stops: number; stopsByMessage: number };
  readonly delivery: { start: Summary; stop: Summary; all: Summary; allFromSent: Summary };
  readonly expectedDeliveries: number;
  readonly missed: number;
  readonly superseded: number;
  readonly stopsShownByAbsence: number;
  readonly stopsWithTheMessage: number;
  readonly answers: {
    withMessages: number;
    stateChanged: number;
    stateChangedViewSame: number;
    timedOut: number;
    wokeEmpty: number;
    withoutRoom: number;
  };
  readonly roomBytes: Summary;
  readonly presentCountMax: number;
  readonly presentShownMax: number;
  readonly statesSeen: number;
  readonly viewersWithLastMessage: number;
  readonly errors: Record<string, number>;
  readonly store: Operations;
  readonly usage: Usage;
}

async function livePart(ctx: BenchContext): Promise<{ text: string; data: LiveData }> {
  const warmupMs = ctx.quick ? 3000 : 5000;
  const measureMs = (ctx.quick ? 20 : 60) * 1000;
  const server = await startServer({ env: { CHAT_FAULTS: 'off' } });
  const mode = /; (sole writer|shared store[^;]*);/.exec(server.output())?.[1] ?? 'unknown mode';
  const http = new BenchClient(server.url, LONG_TIMEOUT_MS);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per request in flight
  try {
    ctx.log(`presence: logging in ${USERS} users`);
    const users = await loginMany(http, USERS);
    const room = benchRoom('presence').name;
    const viewers: Viewer[] = users.map((user, index) => ({
      index,
      user,
      lastId: 0,
      state: undefined,
      view: '',
      next: new Map(),
    }));
    // Every tenth user types now and then.
    const typers = viewers.filter((v) => v.index % (USERS / TYPERS) === 0);
    const changes = new Map<string, TypingChange[]>(typers.map((t) => [t.user.uid, []]));
    // Rates and latencies count what was asked inside the window; errors count whenever they come.
    const tally = newTally();
    let measureFrom = Number.POSITIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    const inWindow = (at: number) => at >= measureFrom && at < until;
    const deliveryStart: number[] = [];
    const deliveryStop: number[] = [];
    /** The same deliveries timed from the moment the call was sent. */
    const deliveryFromSent: number[] = [];
    let stopsShownByAbsence = 0;
    /** Stops by a message shown in the same answer as the message (else in a later one). */
    let stopsWithTheMessage = 0;
    let lastAcknowledged = 0;

    const presenceCall = async (
      who: Viewer,
      body: Record<string, boolean>,
      kind: string,
      change?: TypingChange,
    ): Promise<void> => {
      const counted = inWindow(performance.now());
      if (counted) tally.presenceCalls.add(kind);
      try {
        const reply = await http.call('POST', `/api/rooms/${room}/presence`, who.user.token, body);
        if (change) change.answeredAt = performance.now();
        if (reply.status === 204) {
          if (counted) tally.presenceMs.push(reply.ms);
        } else {
          if (change) change.failed = true;
          tally.errors.add(`presence ${errorKind(reply)}`);
        }
      } catch (error) {
        if (change) change.failed = true;
        tally.errors.add(`presence ${failureKind(error)}`);
      }
    };

    /** Before the clock starts: a server that is busy sheds with 503 + Retry-After: ask again, a few times. */
    const settingUp = async (what: string, ask: () => Promise<Reply>, ok: number): Promise<Reply> => {
      let reply = await ask();
      for (let tries = 1; reply.status === 503 && tries < 20; tries++) {
        await sleep(retryAfterMs(reply));
        reply = await ask();
      }
      if (reply.status !== ok) throw new Error(`${what} failed: ${reply.status} ${JSON.stringify(reply.json)}`);
      return reply;
    };

    // Everyone arrives before the clock starts (200 arrivals would otherwise wake 200 polls each).
    ctx.log(`presence: ${USERS} users arrive in room ${room}`);
    await http.preconnect(USERS + 50);
    let nextArrival = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (nextArrival < viewers.length) {
          const v = viewers[nextArrival++]!;
          await settingUp('arrival', () => http.call('POST', `/api/rooms/${room}/presence`, v.user.token, {}), 204);
        }
      }),
    );
    // Each takes the room as it is now, then holds polls from there.
    let nextRead = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (nextRead < viewers.length) {
          const v = viewers[nextRead++]!;
          const path = `/api/rooms/${room}/messages?after=0`;
          const reply = await settingUp('first read', () => http.call('GET', path, v.user.token), 200);
          v.lastId = reply.json.lastId;
          v.state = reply.json.room?.state;
          v.view = viewOf(reply.json.room);
        }
      }),
    );

    const begin = performance.now();
    measureFrom = begin + warmupMs;
    until = measureFrom + measureMs;
    const stopAt = until + TAIL_MS;
    let start = mark(server);
    let usage: Usage | undefined;
    const count = new WindowCount(server);
    const windowTimer = setTimeout(() => {
      count.edge('start');
      start = mark(server);
    }, warmupMs);
    const endTimer = setTimeout(() => {
      count.edge('end');
      usage = usageSince(server, start);
    }, until - begin);
    const stopTimer = setTimeout(() => stop.abort(), stopAt - begin);

    ctx.log(
      `presence: ${USERS} users holding wait=${WAIT_S}, {} every ${HERE_EVERY_MS / 1000} s, ${typers.length} typing now and then; ${warmupMs / 1000} + ${measureMs / 1000} s (${mode})`,
    );

    /** What one poll answer shows: messages taken, typing changes delivered, wake-ups classified. */
    const observe = (v: Viewer, reply: Reply, sentState: string | undefined, at: number) => {
      const page = reply.json as { messages: { id: number }[]; lastId: number; room?: RoomJson };
      const counted = inWindow(at);
      const t = tally;
      if (counted) t.pollAnswers++;
      v.lastId = page.lastId;
      const roomJson = page.room;
      if (!roomJson) {
        if (counted) t.withoutRoom++;
        return;
      }
      const view = viewOf(roomJson);
      if (counted) {
        t.roomBytes.push(Buffer.byteLength(JSON.stringify(roomJson)));
        t.presentCountMax = Math.max(t.presentCountMax, roomJson.presentCount);
        t.presentShownMax = Math.max(t.presentShownMax, roomJson.present.length);
        t.states.add(roomJson.state);
        if (page.messages.length > 0) t.withMessages++;
        else if (roomJson.state !== sentState) {
          if (view === v.view) t.stateChangedViewSame++;
          else t.stateChanged++;
        } else if (reply.ms >= WAIT_S * 1000 - TIMEOUT_SLACK_MS) t.timedOut++;
        else t.wokeEmpty++;
      }
      v.state = roomJson.state;
      v.view = view;
      // Typing changes: the latest change of each typing user made before this answer came that
      // matches what it shows; earlier ones this viewer never saw are superseded.
      const typing = new Set(roomJson.present.filter((p) => p.typing).map((p) => p.uid));
      for (const [uid, list] of changes) {
        if (uid === v.user.uid) continue;
        const shows = typing.has(uid);
        const from = v.next.get(uid) ?? 0;
        let seen = -1;
        for (let i = from; i < list.length && list[i]!.sentAt < at; i++) {
          if (!list[i]!.failed && list[i]!.typing === shows) seen = i;
        }
        if (seen < 0) continue;
        for (let i = from; i < seen; i++) if (!list[i]!.failed) list[i]!.superseded++;
        const c = list[seen]!;
        c.delivered++;
        if (c.measured) {
          const delay = Number.isNaN(c.answeredAt) ? 0 : Math.max(0, at - c.answeredAt);
          (c.typing ? deliveryStart : deliveryStop).push(delay);
          deliveryFromSent.push(Math.max(0, at - c.sentAt));
          if (!c.typing && !roomJson.present.some((p) => p.uid === uid)) stopsShownByAbsence++;
          if (c.by === 'message' && page.messages.length > 0) stopsWithTheMessage++;
        }
        v.next.set(uid, seen + 1);
      }
    };
    const poller = async (v: Viewer) => {
      while (performance.now() < stopAt && !stop.signal.aborted) {
        const sentState = v.state;
        const path = `/api/rooms/${room}/messages?after=${v.lastId}&wait=${WAIT_S}${sentState ? `&state=${sentState}` : ''}`;
        let againInMs = 0;
        try {
          const reply = await http.call('GET', path, v.user.token, undefined, stop.signal);
          const at = performance.now();
          if (reply.status === 200) {
            observe(v, reply, sentState, at);
            const after = Number(reply.json.pollAfterMs);
            againInMs = Number.isFinite(after) ? after : 0;
          } else {
            tally.errors.add(`poll ${errorKind(reply)}`);
            againInMs = retryAfterMs(reply);
          }
        } catch (error) {
          if (error instanceof RequestFailed && error.kind === 'aborted') return;
          tally.errors.add(`poll ${failureKind(error)}`);
          againInMs = 1000;
        }
        if (againInMs > 0) await sleep(Math.min(againInMs, stopAt - performance.now()));
      }
    };

    const random = seeded(SEED);
    // `{}` every 30 s from each, the first one at a seeded moment in the first 30 s.
    const phases = viewers.map(() => random() * HERE_EVERY_MS);
    const refresher = async (v: Viewer, phase: number) => {
      for (let at = begin + phase; at < until; at += HERE_EVERY_MS) {
        await sleepUntil(at);
        await presenceCall(v, {}, 'here');
      }
    };

    const typer = async (v: Viewer, rand: () => number) => {
      const list = changes.get(v.user.uid)!;
      const make = (typingNow: boolean, by: TypingChange['by']): TypingChange => {
        const sentAt = performance.now();
        const c: TypingChange = {
          uid: v.user.uid,
          typing: typingNow,
          by,
          sentAt,
          answeredAt: NaN,
          failed: false,
          measured: inWindow(sentAt),
          delivered: 0,
          superseded: 0,
        };
        list.push(c);
        return c;
      };
      let next = begin + rand() * (PAUSE_MS[1] / 2);
      let sent = 0;
      for (;;) {
        // Every draw is made whether used or not, so each typer's schedule is the same run to run.
        const length = between(rand, BURST_MS);
        const withMessage = rand() < MESSAGE_SHARE;
        const pauseAfter = between(rand, PAUSE_MS);
        await sleepUntil(next);
        const burstStart = performance.now();
        if (burstStart >= until) return;
        const burstEnd = Math.min(burstStart + length, until);
        await presenceCall(v, { typing: true }, 'typing start', make(true, 'typing'));
        for (let at = burstStart + TYPING_REPEAT_MS; at < burstEnd; at += TYPING_REPEAT_MS) {
          await sleepUntil(at);
          await presenceCall(v, { typing: true }, 'typing repeat');
        }
        await sleepUntil(burstEnd);
        if (withMessage) {
          const c = make(false, 'message');
          try {
            const reply = await http.call('POST', `/api/rooms/${room}/messages`, v.user.token, {
              text: `message ${++sent} from user ${v.index}: the quick brown fox jumps over the lazy dog`,
              clientId: `p${v.index}-${sent}`,
            });
            c.answeredAt = performance.now();
            if (reply.status === 201 || reply.status === 200) {
              if (c.measured) {
                tally.messages++;
                tally.sendMs.push(reply.ms);
              }
              lastAcknowledged = Math.max(lastAcknowledged, reply.json.id);
            } else {
              c.failed = true;
              tally.errors.add(`send ${errorKind(reply)}`);
            }
          } catch (error) {
            c.failed = true;
            tally.errors.add(`send ${failureKind(error)}`);
          }
        } else await presenceCall(v, { typing: false }, 'typing stop', make(false, 'stopped'));
        next = performance.now() + pauseAfter;
      }
    };

    await Promise.all([
      ...viewers.map(poller),
      ...viewers.map((v, i) => refresher(v, phases[i]!)),
      ...typers.map((v, i) => typer(v, seeded(SEED + 1 + i))),
    ]);
    clearTimeout(windowTimer);
    clearTimeout(endTimer);
    clearTimeout(stopTimer);
    const store = await count.result();
    http.close();
    await server.stop();

    const seconds = measureMs / 1000;
    const measured = [...changes.values()].flat().filter((c) => c.measured && !c.failed);
    const others = USERS - 1;
    const expected = measured.length * others;
    const delivered = measured.reduce((sum, c) => sum + c.delivered, 0);
    const superseded = measured.reduce((sum, c) => sum + c.superseded, 0);
    const t = tally;
    const presenceTotal = t.presenceCalls.total();
    const start1 = summarize(deliveryStart);
    const stop1 = summarize(deliveryStop);
    const all = summarize([...deliveryStart, ...deliveryStop]);
    const allFromSent = summarize(deliveryFromSent);
    const roomBytes = summarize(t.roomBytes);
    const viewersWithLastMessage = viewers.filter((v) => v.lastId >= lastAcknowledged).length;
    const errors = t.errors.toJSON();
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    const data: LiveData = {
      users: USERS,
      typers: typers.length,
      mode,
      seed: SEED,
      seconds,
      presenceCallsPerSecond: round(presenceTotal / seconds, 1),
      presenceCallsByKind: t.presenceCalls.toJSON(),
      messagesPerSecond: round(t.messages / seconds, 2),
      pollAnswersPerSecond: Math.round(t.pollAnswers / seconds),
      presenceCall: summarize(t.presenceMs),
      send: summarize(t.sendMs),
      changes: {
        starts: measured.filter((c) => c.typing).length,
        stops: measured.filter((c) => !c.typing).length,
        stopsByMessage: measured.filter((c) => c.by === 'message').length,
      },
      delivery: { start: start1, stop: stop1, all, allFromSent },
      expectedDeliveries: expected,
      missed: expected - delivered,
      superseded,
      stopsShownByAbsence,
      stopsWithTheMessage,
      answers: {
        withMessages: t.withMessages,
        stateChanged: t.stateChanged,
        stateChangedViewSame: t.stateChangedViewSame,
        timedOut: t.timedOut,
        wokeEmpty: t.wokeEmpty,
        withoutRoom: t.withoutRoom,
      },
      roomBytes,
      presentCountMax: t.presentCountMax,
      presentShownMax: t.presentShownMax,
      statesSeen: t.states.size,
      viewersWithLastMessage,
      errors,
      store,
      usage: usage!,
    };
    const text = [
      table(
        ['', 'per second', 'latency ms p50 / p95 / p99 / max'],
        [
          [`presence calls (${t.presenceCalls.toString()})`, data.presenceCallsPerSecond, latencies(data.presenceCall)],
          ['messages sent (each ends a typing burst)', data.messagesPerSecond, latencies(data.send)],
          ['poll answers', data.pollAnswersPerSecond, '-'],
          [
            `typing starts delivered (${data.changes.starts} starts × ${others})`,
            round(start1.count / seconds, 1),
            latencies(start1),
          ],
          [
            `typing stops delivered (${data.changes.stops} stops, ${data.changes.stopsByMessage} by a message, × ${others})`,
            round(stop1.count / seconds, 1),
            latencies(stop1),
          ],
        ],
      ),
      '',
      `typing changes delivered p50 ${ms(all.p50)} ms, p99 ${ms(all.p99)} ms (from the answer to the call that made the change to each other user's poll answer showing it); ` +
        `missed ${data.missed} of ${expected} (${superseded} superseded by a later change before shown); ` +
        `from the call being sent: p50 ${ms(allFromSent.p50)} ms, p99 ${ms(allFromSent.p99)} ms`,
      `room states shown in the window: ${t.states.size} (${round(t.states.size / seconds, 1)}/s); ` +
        `poll answers: ${t.withMessages} with messages, ${t.stateChanged} with a changed room, ` +
        `${t.timedOut} ended by the wait, ${t.wokeEmpty} woke with nothing new, ${t.stateChangedViewSame} with a new state but the same view, ${t.withoutRoom} without room`,
      `room JSON bytes p50 ${roomBytes.p50} / max ${roomBytes.max}; presentCount up to ${t.presentCountMax}, present lists up to ${t.presentShownMax}; ` +
        `${stopsShownByAbsence} of the ${stop1.count} stops delivered showed as the person leaving the list (not among the ${t.presentShownMax} shown); ` +
        `of the stops by a message, ${stopsWithTheMessage} of ${data.changes.stopsByMessage * others} came in the answer that brought the message`,
      `every user holds the last message at the end: ${viewersWithLastMessage} of ${USERS}; errors: ${errorClassText(errors)}${errorCount ? ` ${JSON.stringify(errors)}` : ''}`,
      `store requests in the window: ${operationsText(store)}; CPU cores: ${cpuText(usage!)}`,
    ].join('\n');
    return {
      text: `Part 1: ${USERS} users holding polls in one room, ${typers.length} typing now and then, ${seconds} s (${mode})\n${text}`,
      data,
    };
  } catch (error) {
    stop.abort();
    http.close();
    await server.kill9();
    throw error;
  }
}

/** `room` without its state: what a person sees. */
const viewOf = (room: RoomJson | undefined): string => (room ? JSON.stringify([room.presentCount, room.present]) : '');

// --- Part 2: store cost on a shared store -----------------------------------------------

/** The shortest hold measured: a held poll on a shared store re-checks every CHAT_WAIT_CHECK_MS. */
const HELD_WAIT_S = 5;

interface Tally {
  requests: Record<string, number>;
  rcu: number;
  wcu: number;
}

interface Row {
  readonly label: string;
  readonly status: number;
  readonly requests: Record<string, number>;
  readonly requestsTotal: number;
  readonly rcu: number;
  readonly wcu: number;
}

/** The size DynamoDB bills for an item: each attribute's name and value, as DynamoDB counts them. */
function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((sum, e) => sum + 1 + valueBytes(e), 0);
  if (v.M !== undefined)
    return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + Buffer.byteLength(k) + valueBytes(e), 0);
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, n) => sum + valueBytes({ N: n }), 0);
  return 0;
}

/** Presence calls in flight at once through one instance, in part 2. */
const CONCURRENT_CALLS = 8;
/** Writers through this many instances of the handlers, in the second long poll of part 2. */
const WRITER_INSTANCES = 4;

interface StateItemFigures {
  readonly bytes: number;
  readonly getItemRcu: number;
  readonly people: number;
  readonly typing: number;
  readonly attributes: number;
}

interface ChurnFigures {
  readonly instances: number;
  readonly seconds: number;
  readonly answersPerSecond: number;
  readonly queriesPerSecond: number;
  readonly rcuPerSecond: number;
  readonly refreshesPerSecond: number;
  readonly typingRepeatsPerSecond: number;
  /** Queries by consumed units and items found. */
  readonly queries: Record<string, number>;
  /** Answers that showed nobody present (or no room). */
  readonly emptyAnswers: number;
  readonly presentCountMax: number;
  readonly stateItemAfter: StateItemFigures;
}

interface StoreData {
  readonly iterations: number;
  readonly rows: Row[];
  readonly stateItem: StateItemFigures;
  readonly roomAsPolled: {
    readonly presentCount: number;
    readonly shown: number;
    readonly typing: number;
    readonly jsonBytes: number;
  };
  readonly heldQueriesPerSecond: number;
  readonly heldRcuPerSecond: number;
  /** Refreshes of someone here that changed the room's state, of how many were tried. */
  readonly refreshesChangingState: number;
  readonly secondRefreshesChangingState: number;
  readonly refreshesTried: number;
  readonly churn: ChurnFigures;
  readonly churnMany: ChurnFigures;
  readonly pollAfterChurn: Row;
  readonly hereAfterChurn: Row;
  readonly concurrent: {
    readonly calls: number;
    readonly atATime: number;
    readonly pollRcu: number;
    readonly presentCount: number;
    readonly stateItem: StateItemFigures;
  };
  readonly perUserPerMinute: {
    readonly user: string;
    readonly reads: number;
    readonly rcu: number;
    readonly writes: number;
    readonly wcu: number;
  }[];
}

async function storePart(ctx: BenchContext): Promise<{ text: string; data: StoreData }> {
  const iterations = ctx.quick ? 4 : 10;
  const heldIterations = ctx.quick ? 1 : 2;
  const server = await startServer();
  try {
    // The handlers' configuration, as the stack would give it (a shared store: presence in the
    // room's state item), pointing at DynamoDB Local. The limits are off: the cost is measured.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const config = loadConfig({
      DYNAMODB_ENDPOINT: server.storeEndpoint,
      CHAT_TABLE_NAME: 'chat',
      CHAT_SESSION_KEY: randomBytes(32).toString('base64'),
      AWS_REGION: 'local',
      CHAT_SOLE_WRITER: '0',
      CHAT_PRESENCE_RATE: '0',
      CHAT_SEND_RATE: '0',
      // Every login here comes from one address.
      CHAT_LOGIN_RATE: '0',
    });
    const services = createServices(config);
    const handlers = createHandlers(services);
    const dynamo = services.store;
    const checkMs = config.wait.checkMs;

    const room = `bench-presence-cost-${randomBytes(6).toString('hex')}`;
    /** Each query's consumed units and items found (looked at in the long poll below). */
    let queryUnits = new Counter();
    const counted = countRequests(dynamo, (operation, input, output, units) => {
      if (operation !== 'Query') return;
      // The room's own queries; others (the instance's look at logouts every 30 s) are not a user's.
      const values = (input as { ExpressionAttributeValues?: Record<string, unknown> }).ExpressionAttributeValues;
      const whose = values?.[':pk'] === roomKey(room) ? 'room' : 'not the room';
      queryUnits.add(`${whose}: ${units} RCU, ${(output as { Items?: unknown[] }).Items?.length ?? 0} items`);
    });
    /** What the store was asked since the last take, and the units it consumed. */
    const take = (): Tally => {
      const { read, write } = counted.consumed();
      return { requests: counted.taken(), rcu: read, wcu: write };
    };

    type Call = () => Promise<APIGatewayProxyStructuredResultV2>;
    const json = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body ?? 'null');
    let logins = 0;
    const login = async () => {
      const reply = await handlers.login(apiEvent('POST', '/api/login', { body: { name: `bench ${logins++}` } }));
      if (reply.statusCode !== 200) throw new Error(`login failed: ${reply.statusCode} ${reply.body}`);
      const body = json(reply);
      return { token: body.token as string, uid: body.uid as string };
    };
    const presenceCall = (token: string, body: Record<string, boolean>, through = handlers) =>
      through['update-presence'](apiEvent('POST', `/api/rooms/${room}/presence`, { token, body }));
    const read = (token: string, query: string) =>
      handlers['read-messages'](apiEvent('GET', `/api/rooms/${room}/messages${query}`, { token }));
    const send = (token: string, clientId: string) =>
      handlers['send-message'](
        apiEvent('POST', `/api/rooms/${room}/messages`, {
          token,
          body: { text: 'the quick brown fox jumps over the lazy dog', clientId },
        }),
      );

    ctx.log(`presence: store cost on a shared store: ${USERS} arrive in one room, ${TYPERS} typing`);
    const users = await Promise.all(Array.from({ length: USERS }, login));
    const typers = users.filter((_, i) => i % (USERS / TYPERS) === 0);
    const quiet = users.filter((_, i) => i % (USERS / TYPERS) !== 0);
    let head = 0;
    for (let i = 0; i < 10; i++) head = json(await send(users[0]!.token, `fill-${i}`)).id;
    for (const u of users) await presenceCall(u.token, {});
    let typingAt = 0;
    let hereAt = performance.now();
    /** Keeps the room as the scenario says (outside what is counted): everyone here, the 20 typing. */
    const keepRoom = async (typingNow = false) => {
      if (performance.now() - hereAt > HERE_EVERY_MS) {
        for (const u of users) await presenceCall(u.token, {});
        hereAt = performance.now();
      }
      if (typingNow || performance.now() - typingAt > TYPING_REPEAT_MS / 2) {
        for (const u of typers) await presenceCall(u.token, { typing: true });
        typingAt = performance.now();
      }
    };
    await keepRoom();
    const token = users[0]!.token;

    const rows: Row[] = [];
    /** Runs `prepare` uncounted, then counts `act`, `times` times, and keeps the mean. */
    const measure = async (label: string, prepare: () => Promise<Call>, times = iterations) => {
      const costs: Tally[] = [];
      let status = 0;
      for (let i = 0; i < times; i++) {
        await keepRoom();
        const act = await prepare();
        take();
        status = (await act()).statusCode ?? 0;
        costs.push(take());
      }
      const { txItems: _txItems, ...mean } = meanCost(costs);
      const row: Row = { label, status, ...mean };
      rows.push(row);
      return row;
    };

    // The room as a poll shows it, and the state item as the store holds it.
    await keepRoom();
    const shown = json(await read(token, `?after=${head}`)).room as RoomJson;
    /** The state item as the store holds it (GetItem, strongly consistent). */
    const inspectState = async (): Promise<StateItemFigures> => {
      take();
      const got = await dynamo.send(
        new GetCommand({ TableName: 'chat', Key: { pk: roomKey(room), sk: STATE_SK }, ConsistentRead: true }),
      );
      const getItemRcu = take().rcu;
      const item = got.Item ?? {};
      return {
        bytes: itemBytes(marshall(item, { removeUndefinedValues: true })),
        getItemRcu,
        people: Object.keys(item).filter((k) => /^u_[0-9a-f]{16}$/.test(k)).length,
        typing: Object.keys(item).filter((k) => k.endsWith('/t')).length,
        attributes: Object.keys(item).length,
      };
    };
    const stateItem = await inspectState();
    const roomAsPolled = {
      presentCount: shown.presentCount,
      shown: shown.present.length,
      typing: shown.present.filter((p) => p.typing).length,
      jsonBytes: Buffer.byteLength(JSON.stringify(shown)),
    };

    ctx.log(`presence: ${iterations} of each request counted`);
    const poll = await measure('poll, caught up (after = head)', async () => () => read(token, `?after=${head}`));
    await measure('poll, 1 new', async () => () => read(token, `?after=${head - 1}`));
    await measure('poll, 5 new', async () => () => read(token, `?after=${head - 5}`));
    await measure('newest read (first visit)', async () => () => read(token, ''));
    const held = await measure(
      `held poll, wait=${HELD_WAIT_S}, nothing happens (re-check every ${checkMs} ms)`,
      async () => {
        // Typing lasts 6 s: refreshed now, nobody stops typing during the hold.
        await keepRoom(true);
        const state = (json(await read(token, `?after=${head}`)).room as RoomJson).state;
        return () => read(token, `?after=${head}&wait=${HELD_WAIT_S}&state=${state}`);
      },
      heldIterations,
    );
    let q = 0;
    const here = await measure('presence {} (present: a refresh)', async () => {
      const u = quiet[quiet.length - 1 - (q++ % 20)]!;
      return () => presenceCall(u.token, {});
    });
    await measure('presence {} (arrival: a new person)', async () => {
      const u = await login();
      return () => presenceCall(u.token, {});
    });
    let s = 0;
    const starters = quiet.slice(-iterations);
    const typingStart = await measure('presence typing: true (starts typing)', async () => {
      const u = starters[s++ % starters.length]!;
      return () => presenceCall(u.token, { typing: true });
    });
    let r = 0;
    const typingRepeat = await measure('presence typing: true (repeat while typing)', async () => {
      const u = typers[r++ % typers.length]!;
      return () => presenceCall(u.token, { typing: true });
    });
    await measure('presence typing: false', async () => {
      const u = starters[s++ % starters.length]!;
      await presenceCall(u.token, { typing: true });
      return () => presenceCall(u.token, { typing: false });
    });
    await measure('presence gone', async () => {
      const u = await login();
      await presenceCall(u.token, {});
      return () => presenceCall(u.token, { gone: true });
    });
    await measure('send with clientId (the message, then presence)', async () => {
      const u = typers[r++ % typers.length]!;
      return () => send(u.token, `c-${randomBytes(6).toString('hex')}`);
    });

    // Whether a refresh (`{}` of someone who is here) changes what the room shows: it should not,
    // but past the item's budget who was evicted comes back as an arrival and evicts another.
    ctx.log(`presence: ${quiet.length} refreshes, each between two reads of the room's state`);
    head = json(await read(token, '')).lastId; // the sends above moved it
    await keepRoom(true);
    const stateNow = async () => (json(await read(token, `?after=${head}`)).room as RoomJson).state;
    let refreshesChangingState = 0;
    let secondRefreshesChangingState = 0;
    for (const u of quiet) {
      const before = await stateNow();
      await presenceCall(u.token, {});
      const after = await stateNow();
      if (after !== before) refreshesChangingState++;
      // The same refresh again at once: now certainly in the item.
      await presenceCall(u.token, {});
      if ((await stateNow()) !== after) secondRefreshesChangingState++;
      if (performance.now() - typingAt > TYPING_REPEAT_MS / 2) await keepRoom(true);
    }

    // One user long-polling this room while the others refresh as they would (each `{}` every
    // 30 s: 200 every 30 s in all) and the 20 keep typing (a repeat every 3 s, which changes
    // nothing shown): its queries (the refreshes are UpdateItems). The writes go through one
    // instance of the handlers, then through several (as several function instances would
    // take them), each with its own memory of the state item.
    const churnMs = (ctx.quick ? 5 : 10) * 1000;
    const longPollWhileRefreshing = async (writers: readonly (typeof handlers)[]): Promise<ChurnFigures> => {
      ctx.log(
        `presence: a long poll for ${churnMs / 1000} s while the others refresh through ${writers.length} instance(s)`,
      );
      hereAt = Number.NEGATIVE_INFINITY; // everyone refreshed now, so that nobody needs it during the window
      await keepRoom(true);
      let state = await stateNow();
      take();
      queryUnits = new Counter();
      const churnFrom = performance.now();
      const churnUntil = churnFrom + churnMs;
      let refreshes = 0;
      let repeats = 0;
      const refreshing = (async () => {
        for (let i = 0, at = churnFrom; at < churnUntil; i++, at += HERE_EVERY_MS / USERS) {
          await sleepUntil(at);
          await presenceCall(users[i % users.length]!.token, {}, writers[i % writers.length]);
          refreshes++;
        }
      })();
      const repeating = (async () => {
        for (let at = churnFrom + TYPING_REPEAT_MS; at < churnUntil; at += TYPING_REPEAT_MS) {
          await sleepUntil(at);
          for (const [k, u] of typers.entries())
            await presenceCall(u.token, { typing: true }, writers[k % writers.length]);
          repeats += typers.length;
        }
      })();
      let answers = 0;
      let emptyAnswers = 0;
      let presentMax = 0;
      for (;;) {
        const left = Math.floor((churnUntil - performance.now()) / 1000);
        if (left < 1) break;
        const answer = json(await read(token, `?after=${head}&wait=${Math.min(WAIT_S, left)}&state=${state}`));
        answers++;
        const shownNow = answer.room as RoomJson | undefined;
        if (!shownNow || shownNow.presentCount === 0) emptyAnswers++;
        presentMax = Math.max(presentMax, shownNow?.presentCount ?? 0);
        state = shownNow?.state ?? state;
      }
      await Promise.all([refreshing, repeating]);
      const seconds = (performance.now() - churnFrom) / 1000;
      const queries = queryUnits.toJSON();
      const roomQueries = Object.entries(queries).filter(([k]) => k.startsWith('room:'));
      const queryCount = roomQueries.reduce((sum, [, n]) => sum + n, 0);
      const after = await inspectState();
      return {
        instances: writers.length,
        seconds: round(seconds, 1),
        answersPerSecond: round(answers / seconds, 2),
        queriesPerSecond: round(queryCount / seconds, 2),
        rcuPerSecond: round(
          roomQueries.reduce((sum, [k, n]) => sum + Number.parseFloat(k.slice('room:'.length)) * n, 0) / seconds,
          2,
        ),
        refreshesPerSecond: round(refreshes / seconds, 2),
        typingRepeatsPerSecond: round(repeats / seconds, 2),
        queries,
        emptyAnswers,
        presentCountMax: presentMax,
        stateItemAfter: after,
      };
    };
    const churn = await longPollWhileRefreshing([handlers]);
    const others = Array.from({ length: WRITER_INSTANCES }, () => createServices(config));
    const churnMany = await longPollWhileRefreshing(others.map((o) => createHandlers(o)));
    for (const o of others) o.close();

    const pollAfterChurn = await measure(
      `poll, caught up, after writes through ${WRITER_INSTANCES} instances`,
      async () => () => read(token, `?after=${head}`),
    );
    let h2 = 0;
    const hereAfterChurn = await measure(
      `presence {}, after writes through ${WRITER_INSTANCES} instances`,
      async () => {
        const u = quiet[h2++ % quiet.length]!;
        return () => presenceCall(u.token, {});
      },
    );

    // Presence calls at the same time through one instance (as a server on a shared store takes
    // them; a Lambda instance takes one at a time): each starts from the same memory of the item.
    ctx.log(`presence: ${CONCURRENT_CALLS} presence calls at a time through one instance`);
    await keepRoom(true);
    let nextCall = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, async () => {
        while (nextCall < USERS) await presenceCall(users[nextCall++]!.token, {});
      }),
    );
    take();
    const shownAfterConcurrent = json(await read(token, `?after=${head}`)).room as RoomJson;
    const concurrent = {
      calls: USERS,
      atATime: CONCURRENT_CALLS,
      pollRcu: take().rcu,
      presentCount: shownAfterConcurrent.presentCount,
      stateItem: await inspectState(),
    };
    services.close();
    await server.stop();

    const heldSeconds = HELD_WAIT_S;
    const heldQueriesPerSecond = round((held.requests.Query ?? 0) / heldSeconds, 2);
    const heldRcuPerSecond = round(held.rcu / heldSeconds, 2);
    const herePerMinute = 60_000 / HERE_EVERY_MS;
    const typingPerMinute = 1 + (60_000 - TYPING_REPEAT_MS) / TYPING_REPEAT_MS;
    const perMinute = (user: string, reads: number, rcu: number, writes: number, wcu: number) => ({
      user,
      reads: round(reads, 1),
      rcu: round(rcu, 1),
      writes: round(writes, 1),
      wcu: round(wcu, 1),
    });

    const perUserPerMinute = [
      perMinute(
        'visible, short polls 1/s, {} every 30 s',
        60 * poll.requestsTotal,
        60 * poll.rcu,
        herePerMinute * here.requestsTotal,
        herePerMinute * here.wcu,
      ),
      perMinute(
        `visible, long polls (wait=25, re-check every ${checkMs} ms), {} every 30 s, quiet room`,
        60 * heldQueriesPerSecond,
        60 * heldRcuPerSecond,
        herePerMinute * here.requestsTotal,
        herePerMinute * here.wcu,
      ),
      perMinute(
        'visible, long polls, this room (the others refreshing), {} every 30 s',
        60 * churn.queriesPerSecond,
        60 * churn.rcuPerSecond,
        herePerMinute * here.requestsTotal,
        herePerMinute * here.wcu,
      ),
      perMinute(
        `… the same, the writes through ${WRITER_INSTANCES} instances`,
        60 * churnMany.queriesPerSecond,
        60 * churnMany.rcuPerSecond,
        herePerMinute * here.requestsTotal,
        herePerMinute * hereAfterChurn.wcu,
      ),
      perMinute('idle (hidden tab: a poll every 30 s, no presence)', 2 * poll.requestsTotal, 2 * poll.rcu, 0, 0),
      perMinute(
        'typing, on top of visible (a start, then a repeat every 3 s)',
        0,
        0,
        typingStart.requestsTotal + (typingPerMinute - 1) * typingRepeat.requestsTotal,
        typingStart.wcu + (typingPerMinute - 1) * typingRepeat.wcu,
      ),
    ];

    const text = [
      table(
        [`request (room: ${USERS} came, ${TYPERS} typing)`, 'status', 'store requests', 'by operation', 'RCU', 'WCU'],
        rows.map((row) => [
          row.label,
          row.status,
          row.requestsTotal,
          Object.entries(row.requests)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ') || '-',
          row.rcu,
          row.wcu,
        ]),
      ),
      '',
      `the state item: ${stateItem.bytes} bytes (DynamoDB's sizing), ${stateItem.people} people in it (${stateItem.typing} typing), ` +
        `a strongly consistent GetItem of it ${stateItem.getItemRcu} RCU; a poll shows presentCount ${roomAsPolled.presentCount} of the ${USERS} who came, ` +
        `${roomAsPolled.shown} listed, ${roomAsPolled.typing} typing, room JSON ${roomAsPolled.jsonBytes} bytes`,
      `a held poll: ${heldQueriesPerSecond} queries and ${heldRcuPerSecond} RCU a second while nothing happens`,
      `refreshes ({} of someone here) that changed the room's state: ${refreshesChangingState} of ${quiet.length} ` +
        `(the same refresh again at once: ${secondRefreshesChangingState})`,
      ...[churn, churnMany].map(
        (c) =>
          `a long poll while the others refresh through ${c.instances} instance(s) (${c.refreshesPerSecond} {}/s and ${c.typingRepeatsPerSecond} typing repeats/s, ${c.seconds} s): ` +
          `${c.answersPerSecond} answers, ${c.queriesPerSecond} queries, ${c.rcuPerSecond} RCU a second ` +
          `(queries: ${Object.entries(c.queries)
            .map(([k, n]) => `${k}: ${n}`)
            .join('; ')}); ` +
          `answers showing nobody present ${c.emptyAnswers}, presentCount up to ${c.presentCountMax}; ` +
          `the state item after: ${c.stateItemAfter.bytes} bytes, ${c.stateItemAfter.people} people, GetItem ${c.stateItemAfter.getItemRcu} RCU`,
      ),
      `${concurrent.calls} presence calls ({}), ${concurrent.atATime} at a time through one instance: the state item then ${concurrent.stateItem.bytes} bytes, ` +
        `${concurrent.stateItem.people} people (GetItem ${concurrent.stateItem.getItemRcu} RCU); a caught-up poll ${concurrent.pollRcu} RCU, presentCount ${concurrent.presentCount}`,
      '',
      table(
        ['per user per minute', 'store reads', 'RCU', 'store writes', 'WCU'],
        perUserPerMinute.map((p) => [p.user, p.reads, p.rcu, p.writes, p.wcu]),
      ),
      '',
      `mean of ${iterations} each (held polls: ${heldIterations}); capacity units as DynamoDB Local reports them (strongly consistent reads: 1 RCU per 4 KB;`,
      'a write 1 WCU per 1 KB of the larger of the item before and after). Long polls also cost one query per change they see.',
    ].join('\n');
    return {
      text: `Part 2: store cost on a shared store (handlers in-process, CHAT_SOLE_WRITER=0, DynamoDB Local)\n${text}`,
      data: {
        iterations,
        rows,
        stateItem,
        roomAsPolled,
        heldQueriesPerSecond,
        heldRcuPerSecond,
        refreshesChangingState,
        secondRefreshesChangingState,
        refreshesTried: quiet.length,
        churn,
        churnMany,
        pollAfterChurn,
        hereAfterChurn,
        concurrent,
        perUserPerMinute,
      },
    };
  } catch (error) {
    await server.kill9();
    throw error;
  }
}
