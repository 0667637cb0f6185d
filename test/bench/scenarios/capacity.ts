/**
 * Scenario 1, capacity: 1000 clients polling about once a second (one sender per room of 20,
 * one message every 5 s), then the poll rate is stepped up or down to find the highest rate
 * sustained with p99 poll latency ≤ 200 ms, at least 95% of the offered polls served, and
 * under 1% errors. The same 1000 clients throughout; only their interval changes.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loginMany, report, runLoad, seat, settle, integrityText, type WindowReport } from '../chat-load';
import { BenchClient } from '../http-client';
import { summarizeProfile } from '../profile-summary';
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { mark, startServer, usageSince, type Usage } from '../server';
import { latencies, round, table } from '../stats';

const CLIENTS = 1000;
const PER_ROOM = 20;
const SEND_EVERY_MS = 5000;
const P99_LIMIT_MS = 200;
const FIRST_RATE = 1000;
/** The classic PHP-FPM + MariaDB chat on these machines; the goal is twice this. */
const CLASSIC_POLLS_PER_SECOND = 1700;

interface Step {
  readonly offered: number;
  readonly window: WindowReport;
  readonly usage: Usage;
  readonly sustained: boolean;
}

export async function capacity(ctx: BenchContext): Promise<ScenarioResult> {
  const warmupMs = ctx.quick ? 2000 : 3000;
  const measureMs = ctx.quick ? 5000 : 12_000;
  const profileDir = join(ctx.resultsDir, 'profile-capacity');
  if (ctx.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const server = await startServer({ nodeArgs: ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  const http = new BenchClient(server.url);
  const steps: Step[] = [];
  try {
    ctx.log(`capacity: logging in ${CLIENTS} clients`);
    const clients = seat(await loginMany(http, CLIENTS), PER_ROOM, 'cap');
    const senders = clients.filter((_, i) => i % PER_ROOM === 0);

    const run = async (offered: number): Promise<Step> => {
      let start = mark(server);
      let usage: Usage | undefined;
      const rec = await runLoad({
        http,
        clients,
        pollIntervalMs: (CLIENTS / offered) * 1000,
        senders,
        sendIntervalMs: SEND_EVERY_MS,
        warmupMs,
        measureMs,
        onWindow: (edge) => {
          if (edge === 'start') start = mark(server);
          else usage = usageSince(server, start);
        },
      });
      const window = report(rec);
      const sustained =
        window.poll.p99 <= P99_LIMIT_MS &&
        window.pollsPerSecond >= 0.95 * offered &&
        window.errorCount < 0.01 * (rec.polls + rec.sends);
      const step = { offered, window, usage: usage!, sustained };
      steps.push(step);
      ctx.log(
        `capacity: offered ${offered}/s → ${window.pollsPerSecond}/s, p99 ${round(window.poll.p99)} ms, ` +
          `errors ${window.errorCount}, cpu server ${step.usage.cpu.server} store ${step.usage.cpu.store} generator ${step.usage.cpu.generator}` +
          ` → ${sustained ? 'sustained' : 'not sustained'}`,
      );
      await pause(1000);
      return step;
    };

    // Up by half while it holds; down by a third from the start while it does not.
    let best: Step | undefined;
    let offered = FIRST_RATE;
    for (let i = 0; i < 8 && offered >= 50; i++) {
      const step = await run(offered);
      const failedBefore = steps.some((s) => !s.sustained && s !== step);
      if (step.sustained) best = step;
      if (step.sustained && !failedBefore) offered = Math.round(offered * 1.5);
      else if (!step.sustained && !best) offered = Math.round(offered / 1.5);
      else break;
    }
    // One more step halfway between the best rate that held and the lowest above it that did not.
    const ceiling = Math.min(
      ...steps.filter((s) => !s.sustained && s.offered > (best?.offered ?? 0)).map((s) => s.offered),
    );
    if (best && Number.isFinite(ceiling) && ceiling - best.offered >= 0.2 * best.offered) {
      const step = await run(Math.round((best.offered + ceiling) / 2));
      if (step.sustained) best = step;
    }

    ctx.log('capacity: settling (every client catches up; integrity check)');
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();
    const profile = ctx.profile ? profileText(profileDir) : undefined;

    const rows = steps.map((s) => {
      const perPoll = (cores: number) =>
        s.window.pollsPerSecond > 0 ? round((cores * 1000) / s.window.pollsPerSecond, 2) : NaN;
      return [
        s.offered,
        s.window.pollsPerSecond,
        latencies(s.window.poll),
        s.window.errorCount,
        `${s.usage.cpu.server} / ${s.usage.cpu.store} / ${s.usage.cpu.generator}`,
        `${perPoll(s.usage.cpu.server)} / ${perPoll(s.usage.cpu.store)}`,
        s.sustained ? 'yes' : 'no',
      ];
    });
    const bestRate = best?.window.pollsPerSecond ?? 0;
    const text = [
      table(
        [
          'offered/s',
          'polls/s',
          'poll ms p50 / p95 / p99 / max',
          'errors',
          'CPU cores server / store / generator',
          'CPU ms per poll server / store',
          'sustained',
        ],
        rows,
      ),
      '',
      `highest sustained: ${bestRate} polls/s with p99 ≤ ${P99_LIMIT_MS} ms (${CLIENTS} clients; goal ${2 * CLASSIC_POLLS_PER_SECOND}, classic ${CLASSIC_POLLS_PER_SECOND})`,
      best
        ? `at that rate: send ms ${latencies(best.window.send)}, delivery ms ${latencies(best.window.delivery)}`
        : '',
      `integrity over the whole run, missed / duplicated / out-of-order: ${integrityText(integrity)}`,
      profile ? `\n${profile}` : '',
    ]
      .filter((line) => line !== '')
      .join('\n');
    return {
      title: `1. Capacity (${CLIENTS} clients, p99 ≤ ${P99_LIMIT_MS} ms)`,
      text,
      data: {
        clients: CLIENTS,
        perRoom: PER_ROOM,
        sendEveryMs: SEND_EVERY_MS,
        steps,
        highestSustained: bestRate,
        integrity,
        profile,
      },
    };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}

function profileText(dir: string): string | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  return file ? summarizeProfile(join(dir, file)) : undefined;
}
