/**
 * Long-polling (`wait=25`), in two parts.
 *
 * 1. Delivery: 1000 clients in 50 rooms of 20, each holding `wait=25` polls and asking again
 *    as its answer's `pollAfterMs` says (0 after a held poll: at once); 5 of each room's
 *    clients send once a second (250 messages a second in all). Delivery latency (send
 *    acknowledged → seen by each other client of the room), missed / duplicated /
 *    out-of-order (ids are gap-free per room), errors, and the store requests per delivered
 *    message, counted by the server's store proxy (CHAT_FAULTS=off; the server is still the
 *    sole writer of its own DynamoDB Local, so caught-up and tail-covered polls read memory).
 *
 * 2. Many held: 10,000 clients holding polls on one server (10 rooms of 1000), one message
 *    every 2 s into one of the rooms in turn (each wakes its 1000 clients at once), for longer
 *    than `wait`, so every hold also ends once by its timeout and is asked again. The server's
 *    resident memory, errors, and the delivery latency of those thousand-client wakes.
 *
 * Loopback only; every loop is bounded in time and stops by itself. The file-descriptor limit
 * is checked first: with too few, part 2 holds as many clients as fit, and says so.
 */
import { readFileSync } from 'node:fs';
import {
  errorClassText,
  integrityText,
  loginMany,
  report,
  runLoad,
  seat,
  settle,
  type WindowReport,
} from '../chat-load';
import { BenchClient } from '../http-client';
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { latencies, ms, round, table } from '../stats';
import { type Operations, operationsText, reads, total, WindowCount } from '../store-count';
import { residentMiB } from '#test/faults/local-server-process';

const WAIT_S = 25;
/** A held poll may take WAIT_S; the generator gives up 10 s after that. */
const LONG_TIMEOUT_MS = (WAIT_S + 10) * 1000;

const ROOMS = 50;
const PER_ROOM = 20;
const SENDERS_PER_ROOM = 5;
const SEND_EVERY_MS = 1000;
const GOAL_P50_MS = 50;
const GOAL_P99_MS = 250;

const HELD = 10_000;
const HELD_ROOMS = 10;
/** One message every this often, into the next room in turn. */
const TRICKLE_EVERY_MS = 2000;
const HELD_RAMP_MS = 5000;
const RSS_AIM_MIB = 600;
/** File descriptors kept free for everything else (the store, logs, the proxy). */
const FD_MARGIN = 500;

export async function longPoll(ctx: BenchContext): Promise<ScenarioResult> {
  const delivery = await deliveryPart(ctx);
  await pause(1000);
  const held = await heldPart(ctx);
  return {
    title: `Long-poll (wait=${WAIT_S}: ${ROOMS * PER_ROOM} clients with ${ROOMS * SENDERS_PER_ROOM} sends/s; then ${held.clients} held)`,
    text: `${delivery.text}\n\n${held.text}`,
    data: { delivery: delivery.data, held: held.data },
  };
}

/** Part 1 alone (`npm run bench -- long-poll-delivery`). */
export async function longPollDelivery(ctx: BenchContext): Promise<ScenarioResult> {
  const delivery = await deliveryPart(ctx);
  return { title: `Long-poll, part 1 (wait=${WAIT_S})`, text: delivery.text, data: { delivery: delivery.data } };
}

/** Part 2 alone (`npm run bench -- long-poll-held`). */
export async function longPollHeld(ctx: BenchContext): Promise<ScenarioResult> {
  const held = await heldPart(ctx);
  return { title: `Long-poll, part 2 (${held.clients} held)`, text: held.text, data: { held: held.data } };
}

interface DeliveryData {
  readonly clients: number;
  readonly rooms: number;
  readonly sendersPerRoom: number;
  readonly seconds: number;
  readonly window: WindowReport;
  readonly integrity: ReturnType<typeof integrityText>;
  readonly store: Operations;
  readonly storeReadsPerDelivery: number;
  readonly storeRequestsPerSend: number;
  readonly usage: Usage;
  readonly rssMiB: number;
}

async function deliveryPart(ctx: BenchContext): Promise<{ text: string; data: DeliveryData }> {
  const seconds = ctx.quick ? 15 : 60;
  // A fresh DynamoDB Local is slow until its JIT has warmed up (sends take seconds at first).
  const warmupMs = ctx.quick ? 5000 : 10_000;
  const clientsCount = ROOMS * PER_ROOM;
  const server = await startServer({ env: { CHAT_FAULTS: 'off' } });
  const http = new BenchClient(server.url, LONG_TIMEOUT_MS);
  try {
    ctx.log(`long-poll: logging in ${clientsCount} clients`);
    const clients = seat(await loginMany(http, clientsCount), PER_ROOM, 'lp');
    const senders = clients.filter((_, i) => i % PER_ROOM < SENDERS_PER_ROOM);
    ctx.log(
      `long-poll: ${clientsCount} clients holding wait=${WAIT_S} in ${ROOMS} rooms, ${senders.length} senders once a second, ${seconds} s`,
    );
    let start = mark(server);
    let usage: Usage | undefined;
    const count = new WindowCount(server);
    const rec = await runLoad({
      http,
      clients,
      pollIntervalMs: 0,
      waitS: WAIT_S,
      senders,
      sendIntervalMs: SEND_EVERY_MS,
      warmupMs,
      measureMs: seconds * 1000,
      onWindow: (edge) => {
        count.edge(edge);
        if (edge === 'start') start = mark(server);
        else usage = usageSince(server, start);
      },
    });
    const rssMiB = round(residentMiB(server.pid) ?? NaN);
    const window = report(rec);
    const store = await count.result();
    ctx.log('long-poll: settling (every client catches up; integrity check)');
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();

    const deliveries = window.delivery.count;
    const storeReadsPerDelivery = round(reads(store) / Math.max(1, deliveries), 4);
    const storeRequestsPerSend = round((total(store) - reads(store)) / Math.max(1, rec.sends), 2);
    const d = window.delivery;
    const met = d.p50 <= GOAL_P50_MS && d.p99 <= GOAL_P99_MS;
    const text = [
      table(
        ['', 'per second', 'latency ms p50 / p95 / p99 / max'],
        [
          ['sends acknowledged', window.sendsPerSecond, latencies(window.send)],
          ['poll answers (each ends a hold or finds news at once)', window.pollsPerSecond, '-'],
          ['delivery (ack → seen by each other client)', Math.round(deliveries / window.seconds), latencies(d)],
        ],
      ),
      '',
      `delivery p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms: goal p50 ≤ ${GOAL_P50_MS}, p99 ≤ ${GOAL_P99_MS} → ${met ? 'met' : 'NOT met'}`,
      `deliveries ${deliveries}, ${round(deliveries / Math.max(1, rec.polls), 2)} messages per poll answer; ` +
        `integrity over ${clients.length} clients, missed / duplicated / out-of-order: ${integrityText(integrity)}`,
      `errors: ${errorClassText(window.errors)}${window.errorCount ? ` ${JSON.stringify(window.errors)}` : ''}`,
      `store requests in the window: ${operationsText(store)}`,
      `store reads per delivered message: ${storeReadsPerDelivery} (reads ${reads(store)}); store writes per send: ${storeRequestsPerSend}`,
      `CPU cores: ${cpuText(usage!)}; server RSS ${rssMiB} MiB`,
    ].join('\n');
    return {
      text: `Part 1: delivery\n${text}`,
      data: {
        clients: clientsCount,
        rooms: ROOMS,
        sendersPerRoom: SENDERS_PER_ROOM,
        seconds,
        window,
        integrity: integrityText(integrity),
        store,
        storeReadsPerDelivery,
        storeRequestsPerSend,
        usage: usage!,
        rssMiB,
      },
    };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}

/** The soft limit on open files of a process, from /proc (Infinity for "unlimited"). */
function openFileLimit(pid: number | 'self'): number {
  try {
    const line = /Max open files\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
    return line === 'unlimited' ? Infinity : Number(line);
  } catch {
    return NaN;
  }
}

async function heldPart(ctx: BenchContext): Promise<{ text: string; clients: number; data: unknown }> {
  const holdMs = (WAIT_S + (ctx.quick ? 5 : 15)) * 1000;
  const server = await startServer();
  const limits = { generator: openFileLimit('self'), server: openFileLimit(server.pid) };
  const fit = Math.min(limits.generator, limits.server) - FD_MARGIN;
  const clientsCount = Number.isFinite(fit) ? Math.max(0, Math.min(HELD, fit)) : HELD;
  const fdNote =
    clientsCount < HELD
      ? `the open-file limit (ulimit -n: generator ${limits.generator}, server ${limits.server}) allows only ${clientsCount} held clients, not ${HELD}: raise it (ulimit -n ${HELD + 2 * FD_MARGIN}) for the full figure`
      : `open-file limit: generator ${limits.generator}, server ${limits.server} (enough for ${HELD})`;
  ctx.log(`long-poll: ${fdNote}`);
  const http = new BenchClient(server.url, LONG_TIMEOUT_MS, clientsCount + 100);
  const samples: { second: number; rss: number; held: number }[] = [];
  const gauge = { inFlight: 0 };
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    ctx.log(`long-poll: logging in ${clientsCount} clients`);
    const users = await loginMany(http, clientsCount, 64);
    const clients = seat(users, Math.ceil(clientsCount / HELD_ROOMS), 'held');
    const rooms = [...new Set(clients.map((c) => c.room))];
    // One sender per room, each every TRICKLE_EVERY_MS × rooms: one message every TRICKLE_EVERY_MS in all.
    const senders = rooms.map((room) => clients.find((c) => c.room === room)!);
    await pause(2000);
    const rssIdle = round(residentMiB(server.pid) ?? NaN);
    ctx.log(
      `long-poll: ${clientsCount} clients holding wait=${WAIT_S} in ${rooms.length} rooms for ${holdMs / 1000} s (server RSS before: ${rssIdle} MiB)`,
    );
    const t0 = performance.now();
    sampler = setInterval(
      () =>
        samples.push({
          second: Math.round((performance.now() - t0) / 1000),
          rss: round(residentMiB(server.pid) ?? NaN),
          held: gauge.inFlight,
        }),
      1000,
    );
    let start = mark(server);
    let usage: Usage | undefined;
    const rec = await runLoad({
      http,
      clients,
      pollIntervalMs: 0,
      waitS: WAIT_S,
      rampMs: HELD_RAMP_MS,
      gauge,
      senders,
      sendIntervalMs: TRICKLE_EVERY_MS * rooms.length,
      // Measured once every client has arrived.
      warmupMs: HELD_RAMP_MS + 2000,
      measureMs: holdMs,
      onWindow: (edge) => {
        if (edge === 'start') start = mark(server);
        else usage = usageSince(server, start);
      },
    });
    clearInterval(sampler);
    const window = report(rec);
    const rssEnd = round(residentMiB(server.pid) ?? NaN);
    ctx.log('long-poll: settling (every client catches up; integrity check)');
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();

    const peak = samples.reduce((m, s) => Math.max(m, s.rss), rssEnd);
    const mostHeld = samples.reduce((m, s) => Math.max(m, s.held), 0);
    const perHeldKiB = mostHeld > 0 ? round(((peak - rssIdle) * 1024) / mostHeld, 1) : NaN;
    const text = [
      table(
        ['server RSS MiB', 'before (logged in, idle)', 'peak', 'end', 'aim'],
        [['', rssIdle, peak, rssEnd, `≤ ${RSS_AIM_MIB}`]],
      ),
      '',
      `held at once (generator side, most): ${mostHeld} of ${clientsCount}; about ${perHeldKiB} KiB of server RSS per held poll`,
      `poll answers ${rec.polls} (${window.pollsPerSecond}/s), messages ${rec.sends}, deliveries ${window.delivery.count}: delivery ms ${latencies(window.delivery)} (a message wakes ${Math.round(clientsCount / rooms.length)} clients at once)`,
      `errors: ${errorClassText(window.errors)}${window.errorCount ? ` ${JSON.stringify(window.errors)}` : ''}; integrity, missed / duplicated / out-of-order: ${integrityText(integrity)}`,
      `CPU cores: ${cpuText(usage!)}`,
      fdNote,
      `samples (s: RSS MiB / held): ${samples
        .filter((_, i) => i % 5 === 4)
        .map((s) => `${s.second}: ${s.rss}/${s.held}`)
        .join(', ')}`,
    ].join('\n');
    return {
      text: `Part 2: ${clientsCount} held clients on one server\n${text}`,
      clients: clientsCount,
      data: {
        clients: clientsCount,
        rooms: rooms.length,
        holdSeconds: holdMs / 1000,
        fileLimits: limits,
        rssIdle,
        rssPeak: peak,
        rssEnd,
        mostHeld,
        perHeldKiB,
        window,
        integrity: integrityText(integrity),
        usage,
        samples,
      },
    };
  } catch (error) {
    if (sampler) clearInterval(sampler);
    http.close();
    await server.kill9();
    throw error;
  }
}
