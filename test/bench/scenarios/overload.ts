/**
 * Overload: the capacity scenario's clients (1000 short-polling clients in rooms of 20, one
 * sender per room every 5 s) offered twice the sustained capacity for 30 s. The server should
 * keep serving about its capacity and shed the excess with 503 + Retry-After at once, so that
 * no client waits into its timeout (10 s in the generator); every acknowledged send must still
 * reach every client.
 *
 * The capacity is `--capacity=N`, else the capacity scenario's result from the same run, else
 * measured here first with a shorter step search. Twice on the same server: first the clients
 * keep their schedule through a 503 (the offered load stays at twice the capacity: the worst
 * case, a client that does not back off), then they back off as the page does (the longer of
 * Retry-After and an exponential backoff with jitter). One poll in flight per client, so at
 * most 1000 at once: past capacity the clients' own waiting for answers limits what they ask.
 */
import { errorClassText, integrityText, settle } from '../chat-load';
import type { BenchContext, ScenarioResult } from '../scenario';
import { cpuText } from '../server';
import { latencies, ms, round, table } from '../stats';
import { operationsText } from '../store-count';
import { CLIENTS, runStep, searchCapacity, startFleet, STEP_HEADER, type Step, stepRow } from './capacity';

const FACTOR = 2;
const GOAL_SERVED_SHARE = 0.9;
const GOAL_SHED_MS = 100;

interface Variant {
  readonly label: string;
  readonly honourRetryAfter: boolean;
  readonly step: Step;
}

export async function overload(ctx: BenchContext): Promise<ScenarioResult> {
  const fleet = await startFleet(ctx, 'overload');
  const { server, http, clients } = fleet;
  try {
    const fromRun = Number((ctx.earlier.capacity?.data as { highestSustained?: number } | undefined)?.highestSustained);
    let capacityRate = ctx.capacityPollsPerSecond ?? (fromRun > 0 ? fromRun : undefined);
    let source = ctx.capacityPollsPerSecond ? '--capacity' : 'the capacity scenario of this run';
    let searchSteps: Step[] = [];
    if (!capacityRate) {
      ctx.log('overload: no capacity given (--capacity=N) or measured in this run: measuring it first (short steps)');
      const search = await searchCapacity(ctx, fleet, { warmupMs: 2000, measureMs: ctx.quick ? 4000 : 6000 }, 6);
      searchSteps = search.steps;
      capacityRate = search.best?.window.pollsPerSecond;
      if (!capacityRate) throw new Error('overload: no poll rate was sustained, so there is no capacity to double');
      source = 'measured here first (short steps)';
    }
    const offered = Math.round(FACTOR * capacityRate);
    const seconds = ctx.quick ? 10 : 30;
    const variants: Variant[] = [];
    for (const [label, honourRetryAfter] of [
      ['clients keep their schedule through a 503', false],
      ['clients back off after a 503 as the page does', true],
    ] as const) {
      ctx.log(
        `overload: capacity ${capacityRate} polls/s (${source}); offering ${offered}/s for ${seconds} s, ${label}`,
      );
      const step = await runStep(ctx, fleet, offered, { warmupMs: 3000, measureMs: seconds * 1000, honourRetryAfter });
      variants.push({ label, honourRetryAfter, step });
    }
    ctx.log('overload: settling (every client catches up; integrity check)');
    const integrity = await settle(http, clients);
    http.close();
    await server.stop();

    const intervalMs = (CLIENTS / offered) * 1000;
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    for (const [i, { label, honourRetryAfter, step }] of variants.entries()) {
      const w = step.window;
      const asked = Math.round(w.pollAttemptsPerSecond * w.seconds);
      const shedPolls = w.errors['poll 503 unavailable'] ?? 0;
      const servedShare = w.pollsPerSecond / capacityRate;
      const c = w.errorClasses;
      rows.push(
        [`${i + 1}. ${label}`, '', '', '', ''],
        ['  polls asked (generator)', w.pollAttemptsPerSecond, asked, '', ''],
        ['  polls served (200)', w.pollsPerSecond, w.poll.count, pct(w.poll.count, asked), latencies(w.poll)],
        ['  polls shed (503)', Math.round(shedPolls / w.seconds), shedPolls, pct(shedPolls, asked), ''],
        ['  every 503 (polls and sends)', '', w.shed.count, '', latencies(w.shed)],
        ['  sends acknowledged', w.sendsPerSecond, w.send.count, '', latencies(w.send)],
      );
      notes.push(
        (honourRetryAfter
          ? // Clients that back off ask less than they were offered: the goal on the served share is part 1's.
            `${i + 1}. served ${round(100 * servedShare, 0)}% of capacity, ${pct(w.poll.count, asked)} of what the clients asked once they backed off; `
          : `${i + 1}. served ${round(100 * servedShare, 0)}% of capacity (goal ≥ ${100 * GOAL_SERVED_SHARE}%) → ${servedShare >= GOAL_SERVED_SHARE ? 'met' : 'NOT met'}; `) +
          `503 p99 ${ms(w.shed.p99)} ms (goal ≤ ${GOAL_SHED_MS}) → ${w.shed.count === 0 || w.shed.p99 <= GOAL_SHED_MS ? 'met' : 'NOT met'}; ` +
          `client timeouts ${c.timeout} (goal 0) → ${c.timeout === 0 ? 'met' : 'NOT met'}; errors ${errorClassText(w.errors)}`,
        `   asked ${w.pollAttemptsPerSecond} of ${offered} polls/s: each client has one poll in flight and asks again at its next slot ` +
          `(every ${ms(intervalMs)} ms) or at once if that has passed, so at p50 ${ms(w.poll.p50)} ms per answer the ${CLIENTS} clients can ask ` +
          `about ${Math.round((CLIENTS * 1000) / Math.max(w.poll.p50, intervalMs))}/s; the generator used ${step.usage.cpu.generator} cores`,
        `   store requests: ${operationsText(step.store)}; CPU cores ${cpuText(step.usage)}; ` +
          `TCP over the whole step: ${step.tcp.listenOverflows} connection attempts dropped by a full accept queue, ${step.tcp.synRetransmits} SYNs resent`,
      );
    }
    const lossless = integrity.missed + integrity.duplicated + integrity.outOfOrder === 0;
    const text = [
      `capacity ${capacityRate} polls/s (${source}); offered ${FACTOR}× = ${offered} polls/s; ${CLIENTS} clients, the generator times out after 10 s`,
      '',
      table(['', 'per second', 'count', 'share of polls asked', 'latency ms p50 / p95 / p99 / max'], rows),
      '',
      ...notes,
      `every acknowledged send delivered (both parts): missed / duplicated / out-of-order ${integrityText(integrity)} → ${lossless ? 'met' : 'NOT met'}`,
      searchSteps.length ? `\ncapacity search:\n${table(STEP_HEADER, searchSteps.map(stepRow))}` : '',
    ]
      .filter((line) => line !== '')
      .join('\n');
    return {
      title: `Overload (${CLIENTS} clients offered ${FACTOR}× capacity, ${seconds} s twice)`,
      text,
      data: { capacity: capacityRate, capacitySource: source, offered, seconds, variants, integrity, searchSteps },
    };
  } catch (error) {
    http.close();
    await server.kill9();
    throw error;
  }
}

const pct = (n: number, of: number) => (of > 0 ? `${round((100 * n) / of, 1)}%` : '-');
