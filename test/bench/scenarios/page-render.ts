/**
 * Scenario: the page under a flood. One reader has a room open in real Chromium (headless,
 * Debian's, as the browser tests run it) when 10,000 messages arrive; the figure is the
 * main-thread time the page spends taking them in (Chromium's own counters through CDP:
 * TaskDuration, split into script, layout and style), from the moment the poll that brings
 * them is let through until the last of them is in the DOM.
 *
 * The messages are written straight into DynamoDB Local in the message log's own item format
 * (the log's appends do a few hundred a second in one room), so the server runs as on a shared
 * store (CHAT_SOLE_WRITER=0) and sees them. While they are written, the page's poll waits at a
 * door (a Playwright route); with `--profile`, a Chromium trace of each round is kept in
 * bench-results/ and its self time per kind of main-thread event is printed.
 */
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession } from 'playwright-core';
import { roomKey } from '#aws/table';
import { launchChromium } from '#test/support/chromium';
import { pause, type BenchContext, type ScenarioResult } from '../scenario';
import { startServer } from '../server';
import { round, table } from '../stats';
import { mainThreadSelfTime, selfTimeTable } from '../trace-summary';

/** The table `npm start` creates (CHAT_TABLE_NAME's default). */
const TABLE = 'chat';
const MESSAGES = 10_000;
const NAMES = ['Ana', 'Bo', '小明', 'Ça va', 'Dmitri', '美玲', 'Eve', 'Fatima'];
/** The time, in the trace categories DevTools' Performance panel records. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'blink',
  'toplevel',
];

/**
 * Messages `first` … `first + count - 1`: runs of one to four from one person (so some group
 * under one name), every seventh two lines long, stamped now.
 */
async function fill(endpoint: string, room: string, first: number, count: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const ts = new Date().toISOString();
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) {
      const from = next;
      next = Math.min(end, next + 25);
      let requests: WriteRequest[] = [];
      for (let id = from; id < next; id++) {
        const person = Math.floor(id / ((id % 4) + 1)) % NAMES.length;
        requests.push({
          PutRequest: {
            Item: {
              pk: { S: roomKey(room) },
              sk: { N: String(id) },
              user: { S: NAMES[person]! },
              uid: { S: `u_${String(person).repeat(16)}` },
              text: {
                S:
                  id % 7 === 0
                    ? `message ${id}\nwith a second line, and a longer sentence to wrap on a narrow screen`
                    : `message ${id}`,
              },
              ts: { S: ts },
              writeId: { S: 'bench-fill' },
            },
          },
        });
      }
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = out.UnprocessedItems?.[TABLE] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  client.destroy();
}

interface Round {
  /** Main-thread time (TaskDuration), ms. */
  readonly total: number;
  readonly script: number;
  readonly layout: number;
  readonly style: number;
  /** The main thread's CPU time (ThreadTime), ms. */
  readonly cpu: number;
  /** From opening the door to the last message in the DOM, ms. */
  readonly wall: number;
  readonly rendered: number;
  readonly loadAverage: number;
  readonly selfTime?: [string, number][];
}

/** The counters of Performance.getMetrics, in ms. */
async function metrics(cdp: CDPSession) {
  await cdp.send('Performance.enable');
  return async () => {
    const { metrics: all } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => 1000 * (all.find((m) => m.name === name)?.value ?? 0);
    return {
      total: get('TaskDuration'),
      script: get('ScriptDuration'),
      layout: get('LayoutDuration'),
      style: get('RecalcStyleDuration'),
      cpu: get('ThreadTime'),
    };
  };
}

async function measure(ctx: BenchContext, browser: Browser, url: string, store: string, n: number): Promise<Round> {
  const room = `bench-page-${Date.now()}-${n}`;
  await fill(store, room, 1, 1);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 720 } });
  try {
    const page = await context.newPage();
    // Polls wait here while the door is shut; sends always pass.
    let shut = false;
    let waiting = 0;
    let open!: () => void;
    const door = new Promise<void>((resolve) => (open = resolve));
    await page.route(
      (u) => u.pathname.endsWith('/messages'),
      async (route) => {
        if (shut && route.request().method() === 'GET') {
          waiting++;
          await door;
        }
        return route.continue();
      },
    );
    await page.goto(`${url}/#${room}`);
    await page.locator('#login-name').fill('Reader');
    await page.locator('#login-button').click();
    await page.locator('#messages .msg[data-id="1"]').waitFor();
    // The poll held on the server ends with our own message (id 2) at the latest; the next one
    // waits at the door, and brings id 2 with the flood.
    shut = true;
    const sent = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/messages'));
    await page.locator('#composer-text').fill('before the flood');
    await page.locator('#composer-text').press('Enter');
    await sent;
    while (waiting === 0) await pause(20);
    await fill(store, room, 3, MESSAGES);
    const last = MESSAGES + 2;

    const cdp = await page.context().newCDPSession(page);
    const read = await metrics(cdp);
    if (ctx.profile) {
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const loadAverage = loadavg()[0]!;
    const before = await read();
    // Told by the page when the last message is in: a MutationObserver costs a callback per
    // render, where polling for it would add work (and frames) of its own to the figure.
    const arrived = page.evaluate(
      (id) =>
        new Promise<void>((resolve) => {
          const list = document.getElementById('messages')!;
          const observer = new MutationObserver(() => {
            if (list.querySelector(`.msg[data-id="${id}"]`)) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(list, { childList: true });
        }),
      last,
    );
    const start = Date.now();
    open();
    // The polls after this one go straight to the server, as they do without the door.
    await page.unrouteAll({ behavior: 'wait' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      arrived,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`page-render: message ${last} did not arrive in 120 s`)), 120_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const wall = Date.now() - start;
    const after = await read();
    let selfTime: [string, number][] | undefined;
    if (ctx.profile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(ctx.resultsDir, `page-render-${n}.cpuprofile`), JSON.stringify(profile));
      const trace = await browser.stopTracing();
      const file = join(ctx.resultsDir, `page-render-${n}.trace.json`);
      writeFileSync(file, trace);
      selfTime = mainThreadSelfTime(JSON.parse(trace.toString('utf8')));
      ctx.log(`page-render: trace and script profile of round ${n} in ${file.replace(/\.trace\.json$/, '.*')}`);
    }
    const rendered = await page.locator('#messages .msg').count();
    const r = (k: keyof typeof before) => Math.round(after[k] - before[k]);
    const result = {
      total: r('total'),
      script: r('script'),
      layout: r('layout'),
      style: r('style'),
      cpu: r('cpu'),
      wall,
      rendered,
      loadAverage: round(loadAverage, 2),
      ...(selfTime ? { selfTime } : {}),
    };
    ctx.log(
      `page-render: round ${n}: main thread ${result.total} ms (script ${result.script}, layout ${result.layout}, style ${result.style}), wall ${wall} ms, load ${result.loadAverage}`,
    );
    return result;
  } finally {
    await context.close();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export async function pageRender(ctx: BenchContext): Promise<ScenarioResult> {
  const rounds = ctx.quick ? 1 : 3;
  const server = await startServer({ env: { CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '0' } });
  const browser = await launchChromium();
  try {
    const results: Round[] = [];
    for (let n = 1; n <= rounds; n++) results.push(await measure(ctx, browser, server.url, server.storeEndpoint!, n));
    const row = (label: string, pick: (r: Round) => number) => [
      label,
      ...results.map(pick),
      ...(rounds > 1 ? [median(results.map(pick))] : []),
    ];
    const lines = [
      table(
        ['ms', ...results.map((_, i) => `round ${i + 1}`), ...(rounds > 1 ? ['median'] : [])],
        [
          row('main-thread time (TaskDuration)', (r) => r.total),
          row('  script', (r) => r.script),
          row('  layout', (r) => r.layout),
          row('  style', (r) => r.style),
          row('  other (paint, parsing, GC, …)', (r) => r.total - r.script - r.layout - r.style),
          row('main-thread CPU (ThreadTime)', (r) => r.cpu),
          row('wall, door open to last message shown', (r) => r.wall),
          row('messages in the DOM after', (r) => r.rendered),
        ],
      ),
      '',
      `${MESSAGES.toLocaleString('en')} messages into an open room, 1000 × 720 viewport; load average (1 min) at each round's start: ${results.map((r) => r.loadAverage).join(', ')}`,
    ];
    const traced = results.at(-1)?.selfTime;
    if (traced) lines.push('', `Round ${results.length}, from its trace:`, selfTimeTable(traced));
    return {
      title: `Page: ${MESSAGES.toLocaleString('en')} messages arriving into an open room (Chromium main thread)`,
      text: lines.join('\n'),
      data: { messages: MESSAGES, rounds: results },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}
