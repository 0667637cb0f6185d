/**
 * The page's decisions that need no browser: when to poll, which language to speak, and the
 * names it makes for rooms and sends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readMessages } from '#web/api';
import { initialLang, setLang, t, type StringKey } from '#web/i18n';
import {
  BACKOFF_MAX_MS,
  DEGRADED_MS,
  HIDDEN_MS,
  PollScheduler,
  QUIET_MAX_MS,
  WAIT_S,
  nextPollDelay,
  type DelayInput,
  type PollOutcome,
  type SchedulerEnv,
} from '#web/poll-scheduler';
import { inviteLink, newClientId, privateRoomName, roomFromHash } from '#web/room';
import { buildPage } from '#test/browser/support';

const ok = (pollAfterMs: number, hasMore = false, news = false) =>
  ({ kind: 'ok', hasMore, pollAfterMs, news }) as const;
const delay = (input: Partial<DelayInput>) =>
  nextPollDelay({ outcome: ok(2000), failures: 0, hidden: false, quietForMs: 0, random: 0.5, tookMs: 20, ...input });

describe('nextPollDelay', () => {
  it("follows the server's pollAfterMs in a conversation", () => {
    expect(delay({ outcome: ok(1000) })).toBe(1000);
    expect(delay({ outcome: ok(2000), quietForMs: 5000 })).toBe(2000);
  });

  it('asks again at once after a held poll (pollAfterMs 0), however quiet the room', () => {
    expect(delay({ outcome: ok(0), tookMs: 25_000, quietForMs: 600_000 })).toBe(0);
    expect(delay({ outcome: ok(0, false, true), tookMs: 5 })).toBe(0);
  });

  it('takes an empty "at once" that came back fast for what it is, a poll that was not held', () => {
    // A server shutting down answers every held poll at once: no tight loop.
    expect(delay({ outcome: ok(0), tookMs: 5 })).toBe(2000);
    expect(delay({ outcome: ok(0), tookMs: 5, quietForMs: 60_000 })).toBe(5000);
  });

  it('asks again at once when more messages are waiting', () => {
    expect(delay({ outcome: ok(1000, true) })).toBe(0);
  });

  it('waits longer the longer a room stays quiet, up to a limit', () => {
    const waits = [0, 30_000, 60_000, 120_000, 600_000].map((quietForMs) => delay({ quietForMs }));
    expect(waits).toEqual([2000, 2500, 5000, QUIET_MAX_MS, QUIET_MAX_MS]);
  });

  it('polls at most once per 30 s while the tab is hidden, whatever the server or the room says', () => {
    expect(delay({ hidden: true, outcome: ok(1000) })).toBe(HIDDEN_MS);
    expect(delay({ hidden: true, outcome: ok(1000, true) })).toBe(HIDDEN_MS);
    expect(delay({ hidden: true, outcome: { kind: 'failed' }, failures: 1 })).toBe(HIDDEN_MS);
  });

  it('backs off exponentially with jitter after errors, up to 30 s, and honours Retry-After', () => {
    const failed = { kind: 'failed' } as const;
    const range = (failures: number) => [
      delay({ outcome: failed, failures, random: 0 }),
      delay({ outcome: failed, failures, random: 0.999999 }),
    ];
    expect(range(1)).toEqual([500, expect.closeTo(1000, 0)]);
    expect(range(2)).toEqual([1000, expect.closeTo(2000, 0)]);
    expect(range(4)).toEqual([4000, expect.closeTo(8000, 0)]);
    expect(range(10)).toEqual([BACKOFF_MAX_MS / 2, expect.closeTo(BACKOFF_MAX_MS, 0)]);
    expect(delay({ outcome: { kind: 'failed', retryAfterMs: 7000 }, failures: 1 })).toBe(7000);
  });
});

/**
 * A simulated clock for the scheduler: time moves only when a test moves it, timers fire in
 * order as it passes them, and each poll waits for the test to answer it. No real timer runs.
 */
function simulated() {
  let now = 0;
  let hidden = false;
  let timers: { at: number; run: () => void }[] = [];
  const env: SchedulerEnv = {
    now: () => now,
    random: () => 0.5,
    hidden: () => hidden,
    later: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
  };
  /** Lets the scheduler's promise continuations run (microtasks only). */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  const polls: { wait: number; at: number; answer: (outcome: PollOutcome | Error) => void }[] = [];
  const failures: number[] = [];
  const scheduler = new PollScheduler(
    (wait) =>
      new Promise<PollOutcome>((resolve, reject) =>
        polls.push({ wait, at: now, answer: (o) => (o instanceof Error ? reject(o) : resolve(o)) }),
      ),
    (n) => failures.push(n),
    env,
  );
  const h = {
    scheduler,
    polls,
    failures,
    now: () => now,
    timersPending: () => timers.length,
    setHidden(next: boolean) {
      hidden = next;
      scheduler.visibilityChanged();
    },
    /** Moves the clock by `ms`, firing the timers it passes. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.run();
        await settle();
      }
      now = end;
    },
    /** Moves the clock to the next timer and fires it; returns how far it moved (Infinity: none pending). */
    async next(): Promise<number> {
      const due = [...timers].sort((a, b) => a.at - b.at)[0];
      if (!due) return Infinity;
      const ms = due.at - now;
      await h.advance(ms);
      return ms;
    },
    /** The poll in flight answers `outcome` after `tookMs`. */
    async answer(outcome: PollOutcome | Error, tookMs = 20): Promise<void> {
      const poll = polls[polls.length - 1]!;
      await h.advance(tookMs);
      poll.answer(outcome);
      await settle();
    },
    /** Starts of the polls after the first, each from the start of the one before. */
    gaps: () => polls.slice(1).map((p, i) => p.at - polls[i]!.at),
  };
  return h;
}

const held = (news = false) => ok(0, false, news);

describe('PollScheduler, on a simulated clock', () => {
  it('lets the server hold every poll 25 s while the tab is visible, and asks again at once after each', async () => {
    const s = simulated();
    s.scheduler.start();
    expect(s.polls).toHaveLength(1);
    // The first page (newest; nothing to hold) suggests 1 s: followed exactly.
    await s.answer(ok(1000, false, true), 40);
    await s.advance(999);
    expect(s.polls).toHaveLength(1);
    await s.advance(1);
    expect(s.polls).toHaveLength(2);
    // Held polls, empty after 25 s or woken by news after 3 s: the next starts at the same instant.
    for (let i = 0; i < 30; i++) {
      const before = s.polls.length;
      const end = s.now() + (i % 3 === 0 ? 3000 : 25_000);
      await s.answer(held(i % 3 === 0), end - s.now());
      expect(s.polls).toHaveLength(before + 1);
      expect(s.polls[before]!.at).toBe(end);
    }
    expect(s.polls.map((p) => p.wait)).toEqual(s.polls.map(() => WAIT_S));
    // Eight quiet minutes later it still does not stretch (a held poll costs nothing while it
    // waits), and the next poll started directly, with no timer.
    expect(s.timersPending()).toBe(0);
    expect(s.failures.every((n) => n === 0)).toBe(true);
  });

  it('asks again at once when more is waiting, and does not spin on a server that answers "at once" without holding', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(0, true, true));
    expect(s.polls).toHaveLength(2);
    // A server shutting down answers at once with pollAfterMs 0 and nothing: treated as a short poll.
    await s.answer(held(), 3);
    expect(s.polls).toHaveLength(2);
    await s.advance(1999);
    expect(s.polls).toHaveLength(2);
    await s.advance(1);
    expect(s.polls).toHaveLength(3);
  });

  it('keeps the old behaviour against a server that does not hold (cap 0): pollAfterMs, stretched while quiet', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true), 10);
    // Five minutes of short polls answered at once "nothing new, ask in 2 s".
    const waits: number[] = [];
    while (s.now() < 300_000) {
      waits.push(await s.next());
      await s.answer(ok(2000), 10);
    }
    expect(waits.slice(0, 2)).toEqual([1000, 2000]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(waits.at(-1)).toBe(QUIET_MAX_MS);
    expect(waits.length).toBeGreaterThan(30);
    // The page still asks for the hold: the server decides.
    expect(s.polls.every((p) => p.wait === WAIT_S)).toBe(true);
    // News brings the conversation pace back.
    await s.next();
    await s.answer(ok(1000, false, true), 10);
    expect(await s.next()).toBe(1000);
  });

  it('makes short polls at most every 30 s while hidden, whatever the server says, and lets a hold in flight finish', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    await s.advance(1000);
    const heldStart = s.now();
    // Hidden during a held poll: it is not cut short; its news comes 3 s later.
    s.setHidden(true);
    await s.answer(held(true), 3000);
    expect(s.polls).toHaveLength(2);
    expect(await s.next()).toBe(HIDDEN_MS);
    expect(s.polls[2]).toMatchObject({ wait: 0, at: heldStart + 3000 + HIDDEN_MS });
    // Ten minutes hidden, with answers that would ask for more at once (or soon, or after an error).
    const answers = [ok(1000), ok(0, true, true), held(), ok(2000, false, true), { kind: 'failed' } as const];
    const waits: number[] = [];
    for (let i = 0; s.now() < heldStart + 630_000; i++) {
      await s.answer(answers[i % answers.length]!);
      waits.push(await s.next());
    }
    expect(waits.every((w) => w === HIDDEN_MS)).toBe(true);
    const hiddenPolls = s.polls.slice(2);
    expect(hiddenPolls.every((p) => p.wait === 0)).toBe(true);
    // 2 a minute: 19 or 20 in ten minutes (each cycle is 30 s plus the 20 ms the answer takes).
    const tenMinutes = hiddenPolls.filter((p) => p.at >= heldStart + 30_000 && p.at < heldStart + 630_000).length;
    expect(tenMinutes).toBeGreaterThanOrEqual(19);
    expect(tenMinutes).toBeLessThanOrEqual(20);
  });

  it('makes short polls for a minute after a refusal with Retry-After, then holds again', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    await s.advance(1000);
    expect(s.polls.at(-1)!.wait).toBe(WAIT_S);
    // The server is short of room (in AWS: the poll function's concurrency budget is spent).
    const refusedAt = s.now();
    await s.answer({ kind: 'failed', retryAfterMs: 1000 }, 5);
    const short: number[] = [];
    while (s.polls.at(-1)!.at < refusedAt + DEGRADED_MS) {
      await s.next();
      if (s.polls.at(-1)!.at < refusedAt + DEGRADED_MS) short.push(s.polls.at(-1)!.wait);
      await s.answer(ok(2000), 10);
    }
    expect(short.length).toBeGreaterThan(3);
    expect(short.every((w) => w === 0)).toBe(true);
    // A minute later it asks for the hold again.
    expect(s.polls.at(-1)!.wait).toBe(WAIT_S);
  });

  it('polls at once when the tab comes back, with the hold again', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    s.setHidden(true);
    await s.advance(HIDDEN_MS);
    expect(s.polls.at(-1)!.wait).toBe(0);
    await s.answer(ok(2000));
    await s.advance(10_000);
    const n = s.polls.length;
    s.setHidden(false);
    expect(s.polls).toHaveLength(n + 1);
    expect(s.polls.at(-1)).toMatchObject({ wait: WAIT_S, at: s.now() });
    // Back while a hidden short poll is in flight: the held one follows its answer at once.
    s.setHidden(true);
    await s.answer(held(true), 500);
    await s.advance(HIDDEN_MS);
    expect(s.polls.at(-1)!.wait).toBe(0);
    const m = s.polls.length;
    s.setHidden(false);
    expect(s.polls).toHaveLength(m);
    await s.answer(ok(2000), 30);
    expect(s.polls).toHaveLength(m + 1);
    expect(s.polls.at(-1)!.wait).toBe(WAIT_S);
  });

  it('backs off exponentially with jitter after errors, honours Retry-After, and reports the failures', async () => {
    const s = simulated();
    s.scheduler.start();
    const waits: number[] = [];
    for (const failure of [{ kind: 'failed' } as const, new Error('network'), { kind: 'failed' } as const]) {
      await s.answer(failure);
      waits.push(await s.next());
    }
    await s.answer({ kind: 'failed', retryAfterMs: 7000 });
    waits.push(await s.next());
    // With random 0.5: 1 s → 750 ms, 2 s → 1.5 s, 4 s → 3 s; then Retry-After's 7 s beats 6 s.
    expect(waits).toEqual([750, 1500, 3000, 7000]);
    expect(s.failures).toEqual([1, 2, 3, 4]);
    await s.answer(held(true));
    expect(s.failures.at(-1)).toBe(0);
    expect(s.polls).toHaveLength(6);
  });

  it('asks for no hold after a failed poll, so that it hears at once that the server is back, then holds again', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    await s.advance(1000);
    expect(s.polls.at(-1)!.wait).toBe(WAIT_S);
    await s.answer({ kind: 'failed' });
    await s.next();
    await s.answer(new Error('network'));
    await s.next();
    expect(s.polls.slice(-2).map((p) => p.wait)).toEqual([0, 0]);
    // The server is back: the short poll says so at once, and the next one holds.
    await s.answer(ok(2000), 5);
    expect(s.failures.at(-1)).toBe(0);
    await s.next();
    expect(s.polls.at(-1)!.wait).toBe(WAIT_S);
  });

  it('needs no extra poll for a send while a poll is held, and asks at once when the server does not hold', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    await s.advance(1000);
    await s.answer(held(), 25_000);
    expect(s.polls).toHaveLength(3);
    s.scheduler.sent();
    expect(s.polls).toHaveLength(3);
    // The held poll wakes with the message: one poll follows, not two.
    await s.answer(held(true), 4);
    expect(s.polls).toHaveLength(4);
    // Sent, then the tab is hidden at once: the held poll brings the message, then the hidden pace.
    s.scheduler.sent();
    s.setHidden(true);
    await s.answer(held(true), 30);
    expect(s.polls).toHaveLength(4);
    expect(await s.next()).toBe(HIDDEN_MS);
    s.setHidden(false);
    // Against a server that does not hold: the poll in flight may predate the message, so the
    // next one follows it at once, and with no poll in flight, a send polls at once.
    await s.answer(ok(2000), 4);
    const n = s.polls.length;
    s.scheduler.sent();
    await s.answer(ok(2000), 4);
    expect(s.polls).toHaveLength(n + 1);
    await s.answer(ok(2000), 4);
    expect(s.polls).toHaveLength(n + 1);
    s.scheduler.sent();
    expect(s.polls).toHaveLength(n + 2);
  });

  it('stops for good: no poll after stop(), even when the one in flight answers', async () => {
    const s = simulated();
    s.scheduler.start();
    await s.answer(ok(1000, false, true));
    await s.advance(1000);
    s.scheduler.stop();
    await s.answer(held(true), 100);
    s.scheduler.noteActivity();
    s.setHidden(true);
    s.setHidden(false);
    await s.advance(600_000);
    expect(s.polls).toHaveLength(2);
    expect(s.timersPending()).toBe(0);
  });
});

describe('readMessages', () => {
  afterEach(() => jest.restoreAllMocks());

  it('sends wait (and state) on a poll, and gives a held poll its wait on top of the usual timeout', async () => {
    const urls: string[] = [];
    const page = { messages: [], lastId: 5, hasMore: false, pollAfterMs: 0 };
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
      urls.push(String(url));
      return new Response(JSON.stringify(page), { headers: { 'Content-Type': 'application/json' } });
    });
    const timeouts = jest.spyOn(AbortSignal, 'timeout');
    await readMessages('lobby', { after: 5, wait: 25 }, 200);
    await readMessages('lobby', { after: 5, wait: 25, state: 'k3f9' }, 200);
    await readMessages('lobby', { after: 5 }, 200);
    await readMessages('lobby', { newest: true }, 50);
    expect(urls).toEqual([
      '/api/rooms/lobby/messages?after=5&wait=25&limit=200',
      '/api/rooms/lobby/messages?after=5&wait=25&state=k3f9&limit=200',
      '/api/rooms/lobby/messages?after=5&limit=200',
      '/api/rooms/lobby/messages?limit=50',
    ]);
    // The server may keep the poll 25 s: the page waits for it 15 s longer than that.
    expect(timeouts.mock.calls.map(([ms]) => ms)).toEqual([40_000, 40_000, 15_000, 15_000]);
  });
});

describe('languages', () => {
  it("speaks the reader's choice, else the first browser language it knows, else English", () => {
    expect(initialLang('zh', ['en-US'])).toBe('zh');
    expect(initialLang(null, ['fr-FR', 'zh-TW', 'en'])).toBe('zh');
    expect(initialLang(null, ['de', 'en-GB'])).toBe('en');
    expect(initialLang('klingon', ['ja'])).toBe('en');
  });

  it('has every string that index.html marks, in both languages', () => {
    const html = readFileSync(join(__dirname, '../../web/index.html'), 'utf8');
    const keys = [...html.matchAll(/data-i18n(?:-placeholder|-label|-title)?="(\w+)"/g)].map((m) => m[1] as StringKey);
    expect(keys.length).toBeGreaterThan(20);
    for (const lang of ['en', 'zh'] as const) {
      setLang(lang, false);
      for (const key of keys) expect(t(key)).not.toBe(key);
    }
    setLang('en', false);
  });

  it('fills in values and leaves unknown placeholders visible', () => {
    setLang('zh', false);
    expect(t('newMessagesMany', { n: 3 })).toBe('3 条新消息');
    setLang('en', false);
    expect(t('slowDown', { s: 2 })).toBe('Slow down: you can send again in 2 s.');
    expect(t('slowDown')).toBe('Slow down: you can send again in {s} s.');
  });
});

describe('room names and client ids', () => {
  it('makes private room names from 128 random bits, as 22 base64url characters', () => {
    const names = new Set(Array.from({ length: 1000 }, privateRoomName));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('reads the room from the URL fragment, falling back to the lobby for anything invalid', () => {
    expect(roomFromHash('#kitchen')).toBe('kitchen');
    expect(roomFromHash('')).toBe('lobby');
    expect(roomFromHash('#no spaces')).toBe('lobby');
    expect(roomFromHash('#%E4%BD%A0')).toBe('lobby');
    expect(roomFromHash('#%')).toBe('lobby');
    expect(roomFromHash(`#${'a'.repeat(65)}`)).toBe('lobby');
  });

  it('builds invite links on the page itself, and client ids the API accepts', () => {
    expect(inviteLink('abc', { origin: 'https://chat.example', pathname: '/' })).toBe('https://chat.example/#abc');
    expect(newClientId()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('the built page', () => {
  it('stays small: what a first visit downloads is well under 60 KB gzipped', async () => {
    const dir = await buildPage();
    // The script and the stylesheets (the page's, and the message changes') carry content hashes in their names.
    const files = readdirSync(dir).filter((f) => !f.endsWith('.map'));
    expect(files).toHaveLength(5);
    const sizes = files.map((f) => gzipSync(readFileSync(join(dir, f)), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.info(`page weight, gzipped: ${files.map((f, i) => `${f} ${sizes[i]}`).join(', ')}; total ${total} bytes`);
    expect(total).toBeLessThan(60 * 1024);
  }, 30_000);
});
