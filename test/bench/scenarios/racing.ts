/**
 * Scenario 2, racing writers: 40 clients in one room, each sending and polling every 20 ms
 * for 20 s. Every client must end with every acknowledged message exactly once, in order
 * (the classic version skipped 440 deliveries here).
 */
import { benchRoom, ChatClient, integrityText, loginMany, report, runLoad, settle } from '../chat-load';
import { BenchClient } from '../http-client';
import type { BenchContext, ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { latencies, table } from '../stats';

const CLIENTS = 40;
const EVERY_MS = 20;

export async function racing(ctx: BenchContext): Promise<ScenarioResult> {
  const seconds = ctx.quick ? 5 : 20;
  const server = await startServer({ env: { CHAT_SEND_RATE: '0' } });
  const http = new BenchClient(server.url);
  try {
    const room = benchRoom('race');
    const clients = (await loginMany(http, CLIENTS)).map((user, i) => new ChatClient(i, user, room));
    ctx.log(`racing: ${CLIENTS} clients sending and polling every ${EVERY_MS} ms for ${seconds} s`);
    let start = mark(server);
    let usage: Usage | undefined;
    const rec = await runLoad({
      http,
      clients,
      pollIntervalMs: EVERY_MS,
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

    const offered = Math.round((CLIENTS * 1000) / EVERY_MS);
    const text = [
      table(
        ['', 'offered/s', 'achieved/s', 'latency ms p50 / p95 / p99 / max'],
        [
          ['sends', offered, window.sendsPerSecond, latencies(window.send)],
          ['polls', offered, window.pollsPerSecond, latencies(window.poll)],
          ['delivery (ack → seen by each other client)', '', '', latencies(window.delivery)],
        ],
      ),
      '',
      `messages acknowledged: ${room.acknowledged.size}; deliveries checked: ${window.delivery.count}`,
      `integrity over ${CLIENTS} clients, missed / duplicated / out-of-order: ${integrityText(integrity)}`,
      `errors: ${window.errorCount === 0 ? 'none' : JSON.stringify(window.errors)}`,
      `CPU cores: ${cpuText(usage!)}`,
    ].join('\n');
    return {
      title: `2. Racing writers (${CLIENTS} clients, send + poll every ${EVERY_MS} ms, ${seconds} s)`,
      text,
      data: {
        clients: CLIENTS,
        everyMs: EVERY_MS,
        seconds,
        window,
        integrity,
        acknowledged: room.acknowledged.size,
        usage,
      },
    };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}
