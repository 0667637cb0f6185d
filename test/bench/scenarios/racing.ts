/**
 * Scenario 2, racing writers: 40 clients in one room, each sending and polling every 20 ms
 * for 20 s. Every client must end with every acknowledged message exactly once, in order
 * (the classic version skipped 440 deliveries here). Acknowledged sends per second are set
 * next to the classic PHP chat's (about 900/s on these machines, with skipped messages).
 *
 * Twice, each on a fresh server: with short polls (as the classic clients), and with the same
 * 40 clients long-polling (`wait=25`, the next poll at once after each answer) instead.
 */
import {
  benchRoom,
  ChatClient,
  errorClassText,
  integrityText,
  loginMany,
  report,
  runLoad,
  settle,
  type WindowReport,
} from '../chat-load';
import { BenchClient } from '../http-client';
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { latencies, table } from '../stats';

const CLIENTS = 40;
const EVERY_MS = 20;
const WAIT_S = 25;
/** The classic PHP-FPM + MariaDB chat, this scenario, on these machines. */
const CLASSIC_SENDS_PER_SECOND = 900;

interface Variant {
  readonly label: string;
  readonly window: WindowReport;
  readonly integrity: string;
  readonly acknowledged: number;
  readonly usage: Usage;
}

async function variant(ctx: BenchContext, label: string, seconds: number, waitS?: number): Promise<Variant> {
  const server = await startServer({ env: { CHAT_SEND_RATE: '0' } });
  const http = new BenchClient(server.url, waitS === undefined ? 10_000 : (waitS + 10) * 1000);
  try {
    const room = benchRoom('race');
    const clients = (await loginMany(http, CLIENTS)).map((user, i) => new ChatClient(i, user, room));
    ctx.log(`racing: ${label}, ${seconds} s`);
    let start = mark(server);
    let usage: Usage | undefined;
    const rec = await runLoad({
      http,
      clients,
      pollIntervalMs: EVERY_MS,
      waitS,
      senders: clients,
      sendIntervalMs: EVERY_MS,
      warmupMs: 0,
      measureMs: seconds * 1000,
      onWindow: (edge) => {
        if (edge === 'start') start = mark(server);
        else usage = usageSince(server, start);
      },
    });
    const window = report(rec);
    ctx.log('racing: settling (every client catches up; integrity check)');
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();
    return { label, window, integrity: integrityText(integrity), acknowledged: room.acknowledged.size, usage: usage! };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}

export async function racing(ctx: BenchContext): Promise<ScenarioResult> {
  const seconds = ctx.quick ? 5 : 20;
  const short = await variant(ctx, `${CLIENTS} clients sending and polling every ${EVERY_MS} ms`, seconds);
  await pause(1000);
  const long = await variant(
    ctx,
    `${CLIENTS} clients sending every ${EVERY_MS} ms, long-polling wait=${WAIT_S}`,
    seconds,
    WAIT_S,
  );
  const offered = Math.round((CLIENTS * 1000) / EVERY_MS);
  const variants = [
    { name: 'short polls', v: short },
    { name: 'long polls', v: long },
  ];
  const text = [
    table(
      [
        'clients poll with',
        'sends offered/s',
        'sends acked/s',
        'send ms p50 / p95 / p99 / max',
        'polls/s',
        'poll ms p50 / p95 / p99 / max',
        'delivery ms p50 / p95 / p99 / max',
        'missed / dup / ooo',
        'errors 503 / timeout / other',
      ],
      variants.map(({ name, v }) => [
        name,
        offered,
        v.window.sendsPerSecond,
        latencies(v.window.send),
        v.window.pollsPerSecond,
        latencies(v.window.poll),
        latencies(v.window.delivery),
        v.integrity,
        `${v.window.errorClasses.shed} / ${v.window.errorClasses.timeout} / ${v.window.errorClasses.other}`,
      ]),
    ),
    '',
    `acknowledged sends/s: ${short.window.sendsPerSecond} (short polls), ${long.window.sendsPerSecond} (long polls); the classic PHP chat: about ${CLASSIC_SENDS_PER_SECOND}/s, with skipped deliveries`,
    ...variants.map(
      ({ name, v }) =>
        `${name}: ${v.acknowledged} messages acknowledged, ${v.window.delivery.count} deliveries checked; errors ${errorClassText(v.window.errors)}; CPU cores ${cpuText(v.usage)}`,
    ),
    'Long polls: poll latency includes the hold (until news or 25 s).',
  ].join('\n');
  return {
    title: `2. Racing writers (${CLIENTS} clients in one room, each sending every ${EVERY_MS} ms, ${seconds} s)`,
    text,
    data: { clients: CLIENTS, everyMs: EVERY_MS, seconds, variants: { short, long } },
  };
}
