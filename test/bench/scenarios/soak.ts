/**
 * Soak: 5 minutes of steady chat (300 clients polling about once a second in rooms of 20,
 * one sender per room every 2 s, the default send limit on). The resident memory of the
 * server and of DynamoDB Local is sampled every 10 s: it must level off, not keep growing.
 * Not in the default run; `npm run bench -- soak`.
 */
import { integrityText, loginMany, report, runLoad, seat, settle } from '../chat-load';
import { BenchClient } from '../http-client';
import type { BenchContext, ScenarioResult } from '../scenario';
import { cpuText, mark, startServer, usageSince, type Usage } from '../server';
import { latencies, round, table } from '../stats';
import { residentMiB } from '#test/faults/local-server-process';

const CLIENTS = 300;
const PER_ROOM = 20;
const SEND_EVERY_MS = 2000;
const SAMPLE_EVERY_MS = 10_000;

export async function soak(ctx: BenchContext): Promise<ScenarioResult> {
  const minutes = ctx.quick ? 1 : 5;
  const warmupMs = ctx.quick ? 10_000 : 30_000;
  const server = await startServer();
  const http = new BenchClient(server.url);
  const samples: { second: number; server: number; store: number }[] = [];
  const t0 = performance.now();
  const sample = () =>
    samples.push({
      second: Math.round((performance.now() - t0) / 1000),
      server: round(residentMiB(server.pid) ?? NaN),
      store: round(server.storePid === undefined ? NaN : (residentMiB(server.storePid) ?? NaN)),
    });
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  try {
    const clients = seat(await loginMany(http, CLIENTS), PER_ROOM, 'soak');
    const senders = clients.filter((_, i) => i % PER_ROOM === 0);
    ctx.log(`soak: ${CLIENTS} clients for ${minutes} min (memory sampled every ${SAMPLE_EVERY_MS / 1000} s)`);
    sample();
    let start = mark(server);
    let usage: Usage | undefined;
    const rec = await runLoad({
      http,
      clients,
      pollIntervalMs: 1000,
      senders,
      sendIntervalMs: SEND_EVERY_MS,
      warmupMs,
      measureMs: minutes * 60_000 - warmupMs,
      onWindow: (edge) => {
        if (edge === 'start') start = mark(server);
        else usage = usageSince(server, start);
      },
    });
    sample();
    clearInterval(sampler);
    const window = report(rec);
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();

    // Growth from the end of the warm-up to the end, and the peak.
    const afterWarmup = samples.find((s) => s.second * 1000 >= warmupMs) ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const span = Math.max(1, (last.second - afterWarmup.second) / 60);
    const growth = (k: 'server' | 'store') => {
      const peak = Math.max(...samples.map((s) => s[k]));
      return [afterWarmup[k], last[k], peak, round(last[k] - afterWarmup[k]), round((last[k] - afterWarmup[k]) / span)];
    };
    const text = [
      table(
        ['RSS MiB', 'after warm-up', 'end', 'peak', 'growth', 'growth per minute'],
        [
          ['server (Node)', ...growth('server')],
          ['DynamoDB Local (Java)', ...growth('store')],
        ],
      ),
      '',
      `samples (s: server / store MiB): ${samples.map((s) => `${s.second}: ${s.server}/${s.store}`).join(', ')}`,
      `polls/s ${window.pollsPerSecond}, poll ms ${latencies(window.poll)}, sends/s ${window.sendsPerSecond}, send ms ${latencies(window.send)}, delivery ms ${latencies(window.delivery)}`,
      `integrity, missed / duplicated / out-of-order: ${integrityText(integrity)}; errors: ${window.errorCount === 0 ? 'none' : JSON.stringify(window.errors)}`,
      `CPU cores: ${cpuText(usage!)}`,
    ].join('\n');
    return {
      title: `Soak (${CLIENTS} clients, ${minutes} min)`,
      text,
      data: { clients: CLIENTS, minutes, samples, window, integrity, usage },
    };
  } catch (error) {
    clearInterval(sampler);
    http.close();
    await server.kill9();
    throw error;
  }
}
