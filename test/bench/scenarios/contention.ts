/**
 * Scenario 3, contention: 8 writers in one room, each sending again as soon as it is
 * answered. Messages per second, and store requests per message, counted by the local
 * server's store proxy (CHAT_FAULTS=off: nothing injected, every request counted).
 *
 * Twice: all writers on one server (one instance: its sends share transactions, group
 * commit), and each writer on its own server process sharing the one store (as Lambda may
 * run eight instances: they race each other for every id).
 */
import {
  benchRoom,
  ChatClient,
  integrityText,
  loginMany,
  Recorder,
  report,
  runLoad,
  send,
  settle,
  type WindowReport,
} from '../chat-load';
import { BenchClient } from '../http-client';
import type { BenchContext, ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { latencies, round, table } from '../stats';
import type { LocalServerProcess } from '#test/faults/local-server-process';

const WRITERS = 8;
const READER_POLL_MS = 100;

interface Variant {
  readonly label: string;
  readonly window: WindowReport;
  readonly messages: number;
  readonly requestsPerMessage: number;
  readonly byOperation: Record<string, number>;
  readonly integrity: ReturnType<typeof integrityText>;
  readonly usage: Usage;
}

async function forwarded(faultsUrl: string): Promise<Record<string, number>> {
  const res = await fetch(faultsUrl);
  return ((await res.json()) as { forwarded: Record<string, number> }).forwarded;
}

async function race(
  ctx: BenchContext,
  label: string,
  main: LocalServerProcess,
  writerServers: readonly LocalServerProcess[],
  seconds: number,
  /** The server the reader polls (the main one, unless other servers write). */
  readVia: LocalServerProcess = main,
): Promise<Variant> {
  const mainHttp = new BenchClient(readVia.url);
  const writerHttp = writerServers.map((s) => new BenchClient(s.url));
  const room = benchRoom('contention');
  const [readerUser] = await loginMany(mainHttp, 1);
  const reader = new ChatClient(WRITERS, readerUser!, room);
  const writers = await Promise.all(
    writerHttp.map(async (http, i) => ({ http, client: new ChatClient(i, (await loginMany(http, 1))[0]!, room) })),
  );
  ctx.log(`contention: ${label}, ${seconds} s`);
  const before = await forwarded(main.faultsUrl!);
  const start = mark(main);
  const sends = new Recorder();
  const until = performance.now() + seconds * 1000;
  const [readerRec] = await Promise.all([
    runLoad({
      http: mainHttp,
      clients: [reader],
      pollIntervalMs: READER_POLL_MS,
      warmupMs: 0,
      measureMs: seconds * 1000,
    }),
    Promise.all(
      writers.map(async (w) => {
        while (performance.now() < until) await send(w.http, w.client, sends);
      }),
    ),
  ]);
  sends.endedAt = performance.now();
  const usage = usageSince(main, start);
  const after = await forwarded(main.faultsUrl!);
  const integrity = await settle(mainHttp, [reader]);
  for (const h of [mainHttp, ...writerHttp]) h.close();

  // The reader's polls are not the writers' cost.
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const delta = n - (before[op] ?? 0) - (op === 'Query' ? readerRec.polls + readerRec.errors.total() : 0);
    if (delta > 0) byOperation[op] = delta;
  }
  const messages = room.acknowledged.size;
  const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
  const window = report(sends);
  return {
    label,
    window,
    messages,
    requestsPerMessage: round(total / Math.max(1, messages), 2),
    byOperation: Object.fromEntries(
      Object.entries(byOperation).map(([op, n]) => [op, round(n / Math.max(1, messages), 2)]),
    ),
    integrity: integrityText(integrity),
    usage,
  };
}

export async function contention(ctx: BenchContext): Promise<ScenarioResult> {
  const seconds = ctx.quick ? 4 : 10;
  const env = { CHAT_SEND_RATE: '0', CHAT_FAULTS: 'off' };
  const main = await startServer({ env });
  const extra: LocalServerProcess[] = [];
  try {
    const oneInstance = await race(
      ctx,
      `${WRITERS} writers, 1 server`,
      main,
      Array.from({ length: WRITERS }, () => main),
      seconds,
    );
    ctx.log(`contention: starting ${WRITERS} more servers on the same store`);
    extra.push(
      ...(await Promise.all(
        Array.from({ length: WRITERS }, () =>
          startServer({ env: { CHAT_SEND_RATE: '0', DYNAMODB_ENDPOINT: main.proxyEndpoint! } }),
        ),
      )),
    );
    // The main server is the sole writer of its own store in the first part; here other
    // servers write to it, so the reader polls one of them (shared-store mode: it queries).
    const separate = await race(ctx, `${WRITERS} writers, ${WRITERS} servers`, main, extra, seconds, extra[0]);
    await Promise.all([...extra.map((s) => s.stop()), main.stop()]);

    const variants = [oneInstance, separate];
    const text = [
      table(
        [
          '',
          'messages/s',
          'send ms p50 / p95 / p99 / max',
          'store requests per message',
          'by operation',
          'missed / dup / ooo',
          'errors',
        ],
        variants.map((v) => [
          v.label,
          v.window.sendsPerSecond,
          latencies(v.window.send),
          v.requestsPerMessage,
          Object.entries(v.byOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', '),
          v.integrity,
          v.window.errorCount === 0 ? 'none' : JSON.stringify(v.window.errors),
        ]),
      ),
      '',
      'The server keeps its data in memory, so it makes no commit barrier (lib/local/commit-barrier.ts, on-disk data only); Lambda makes none either.',
      `CPU cores, 1 server: ${cpuText(oneInstance.usage)}`,
    ].join('\n');
    return {
      title: `3. Contention (${WRITERS} writers, one room, as fast as answered, ${seconds} s)`,
      text,
      data: { writers: WRITERS, seconds, variants },
    };
  } catch (error) {
    await Promise.all([...extra.map((s) => s.kill9()), main.kill9()]);
    throw error;
  }
}
