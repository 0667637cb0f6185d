/**
 * `npm run bench`: builds the local server, runs the chosen scenarios against it over
 * loopback, prints a table per scenario and writes everything to bench-results/ as JSON.
 *
 *   npm run bench                          the ten scenarios (about 13 minutes)
 *   npm run bench -- capacity racing       only these
 *   npm run bench -- presence              200 users in one room, 20 typing: typing delivery, store cost
 *   npm run bench -- page-render           10,000 messages into a page open in Chromium: main-thread time
 *   npm run bench -- --quick               shorter windows, smaller data (about 4 minutes)
 *   npm run bench -- soak                  the 5-minute soak (not in the default run)
 *   npm run bench -- capacity --profile    with a CPU profile of the server
 *   npm run bench -- overload --capacity=3400   overload offers twice the rate given
 *   npm run bench -- capacity --shared-store    servers as on a shared store (CHAT_SOLE_WRITER=0)
 *   npm run bench -- all                   the ten scenarios and the soak
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '#test/faults/local-server-process';
import type { BenchContext, Scenario, ScenarioResult } from './scenario';
import { buildServer, SERVER_SCRIPT, setRunEnv } from './server';
import { capacity } from './scenarios/capacity';
import { coldStart } from './scenarios/cold-start';
import { contention } from './scenarios/contention';
import { history } from './scenarios/history';
import { longPoll, longPollDelivery, longPollHeld } from './scenarios/long-poll';
import { overload } from './scenarios/overload';
import { pageRender } from './scenarios/page-render';
import { presence } from './scenarios/presence';
import { racing } from './scenarios/racing';
import { soak } from './scenarios/soak';
import { storeCost } from './scenarios/store-cost';

const SCENARIOS: Record<string, Scenario> = {
  capacity,
  overload,
  'long-poll': longPoll,
  'long-poll-delivery': longPollDelivery,
  'long-poll-held': longPollHeld,
  racing,
  contention,
  history,
  'cold-start': coldStart,
  'store-cost': storeCost,
  presence,
  'page-render': pageRender,
  soak,
};
// overload right after capacity: it offers twice the capacity just measured.
const DEFAULT = [
  'capacity',
  'overload',
  'long-poll',
  'racing',
  'contention',
  'history',
  'cold-start',
  'store-cost',
  'presence',
  'page-render',
];

function usage(problem: string): never {
  console.error(
    `bench: ${problem}\nusage: npm run bench -- [${Object.keys(SCENARIOS).join('|')}|all ...] [--quick] [--profile] [--capacity=N] [--shared-store]`,
  );
  process.exit(2);
}

const loadText = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function machine() {
  let java = 'unknown';
  try {
    java = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  } catch {
    // No Java: the scenarios that need DynamoDB Local will say so.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java,
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  let capacityPollsPerSecond: number | undefined;
  for (const flag of flags) {
    const given = /^--capacity=(\d+)$/.exec(flag);
    if (given) capacityPollsPerSecond = Number(given[1]);
    else if (flag !== '--quick' && flag !== '--profile' && flag !== '--shared-store') usage(`unknown option ${flag}`);
  }
  if (capacityPollsPerSecond === 0) usage('--capacity must be a rate above 0 (polls/s)');
  let names = args.filter((a) => !a.startsWith('--'));
  if (names.includes('all')) names = [...DEFAULT, 'soak'];
  if (names.length === 0) names = DEFAULT;
  for (const name of names) if (!SCENARIOS[name]) usage(`unknown scenario "${name}"`);

  const resultsDir = join(ROOT, 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  const started = new Date();
  const results: Record<string, ScenarioResult & { seconds: number; loadAverageAtEnd: number[] }> = {};
  const ctx: BenchContext = {
    quick: flags.has('--quick'),
    profile: flags.has('--profile'),
    resultsDir,
    capacityPollsPerSecond,
    earlier: results,
    log: (line) => console.log(`  · ${line}`),
  };
  const about = machine();
  console.log(
    `bench: ${names.join(', ')}${ctx.quick ? ' (quick)' : ''} on ${about.cores} × ${about.cpu}, Node ${about.node}, ${about.java}`,
  );
  console.log(
    `bench: load average at start ${about.loadAverageAtStart.join(' ')} (anything else running skews the figures)`,
  );
  if (flags.has('--shared-store')) {
    // As where other processes write too: every poll queries, held polls re-check every CHAT_WAIT_CHECK_MS.
    setRunEnv({ CHAT_SOLE_WRITER: '0' });
    console.log('bench: --shared-store: every server runs with CHAT_SOLE_WRITER=0 (polls query the store)');
  }
  if (process.env.BENCH_SERVER_SCRIPT) console.log(`bench: the server is ${SERVER_SCRIPT} (BENCH_SERVER_SCRIPT)`);
  else {
    console.log("bench: building the local server (npm start's build)");
    buildServer();
  }

  for (const name of names) {
    console.log(`\n== ${name}`);
    const t0 = performance.now();
    const result = await SCENARIOS[name]!(ctx);
    const seconds = Math.round((performance.now() - t0) / 1000);
    results[name] = { ...result, seconds, loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))) };
    console.log(`\n${result.title}  [${seconds} s]  (load average now ${loadText()})\n${result.text}`);
  }

  const record = {
    date: started.toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine: { ...about, loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))) },
    results: Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        { title: r.title, seconds: r.seconds, loadAverageAtEnd: r.loadAverageAtEnd, data: r.data, text: r.text },
      ]),
    ),
  };
  const file = join(resultsDir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nbench: done in ${Math.round((Date.now() - started.getTime()) / 1000)} s; results in ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
