/**
 * Polling in a real Chromium: long-polls (wait=25) while the tab is visible, so a message
 * arrives on the poll already waiting and the next poll follows its answer at once; short polls
 * at most every 30 s in a hidden tab, and a held poll again at once when it comes back; the old
 * pollAfterMs pacing against a server that does not hold; held polls given up with the room or
 * the session; a visible, self-healing connection when the server goes away.
 *
 * Nothing here depends on how fast the machine is: where time matters, the page runs on a
 * simulated clock (Playwright's) that moves only when the test moves it, the polls are recorded
 * inside the page on that clock, and each step waits until the page has handled every answer.
 * With the clock paused, a poll that starts at all started at once: any timer, even of 1 ms,
 * would never fire.
 */
import type { Browser } from 'playwright-core';
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import {
  countPolls,
  eventually,
  logIn,
  personIn,
  pollRecorder,
  say,
  serve,
  setTabHidden,
  shownTexts,
  type Person,
  type PollRecord,
  type RunningServer,
  usePage,
} from './support';

let app: App;
let browser: Browser;
let webRoot: string;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server, webRoot } = f));

async function person(url: string, name: string): Promise<Person> {
  const p = await personIn(browser, url, name);
  people.push(p);
  return p;
}

const post = (room: string, text: string, user = 'Bo', uid = 'u_b0b0b0b0b0b0b0b0', on: App = app) =>
  on.messageLog.appendMessage({ room, user, uid, text });

/** A chat of the test's own (app and server), so that the held polls it counts are this test's alone. */
const own: { app: App; server: RunningServer }[] = [];
async function ownChat(env: Record<string, string> = {}) {
  const chat = loadApp({ CHAT_SEND_RATE: '0', ...env });
  const running = await serve(chat, webRoot);
  own.push({ app: chat, server: running });
  return {
    app: chat,
    url: running.url,
    /** Bo writes, through this chat's own message log (so its held polls hear of it at once). */
    post: (room: string, text: string) => post(room, text, undefined, undefined, chat),
  };
}
afterEach(async () => {
  for (const { app: chat, server: running } of own.splice(0)) {
    chat.services.close();
    await running.close();
  }
});

/** Ana on a simulated clock (running at real speed until paused), her polls recorded in the page. */
async function onClock(url: string) {
  const { prepare, recorder } = pollRecorder();
  const p = await personIn(browser, url, 'Ana', {}, async (page) => {
    await page.clock.install();
    await prepare(page);
  });
  people.push(p);
  const polls = recorder(p.page);
  return {
    ...p,
    polls,
    /** Stops the page's time (jumping 1 s ahead: only timers due by then fire). */
    async pause(): Promise<void> {
      await p.page.clock.pauseAt((await p.page.evaluate(() => Date.now())) + 1000);
    },
    /** Moves the page's time `ms` in steps of `step`, each step once every answer is handled. */
    async advance(ms: number, step: number): Promise<void> {
      for (let done = 0; done < ms; done += step) {
        await p.page.clock.runFor(step);
        await polls.settle();
      }
    },
    pageNow: () => p.page.evaluate(() => performance.now()),
  };
}

/** Waits until `chat` holds exactly `n` polls. */
const holding = (chat: App, n: number, timeout = 15_000) =>
  eventually(
    async () => chat.services.longPoll.holding(),
    (held) => expect(held).toBe(n),
    timeout,
  );

const pollCount = async (polls: { all(): Promise<PollRecord[]> }) => (await polls.all()).length;

describe('polling', () => {
  it('long-polls while visible: wait=25 on every poll, news arrives on the poll already held, the next follows at once', async () => {
    const chat = await ownChat();
    const room = uniqueRoom('held');
    const ana = await onClock(`${chat.url}/#${room}`);
    const wire = countPolls(ana.page);
    await holding(chat.app, 1);
    await ana.pause();

    // Bo writes three times. Each message is carried by the poll that was already waiting, and
    // the page asks again at once, on a clock that does not move.
    for (const text of ['one', 'two', 'three']) {
      const before = await ana.polls.all();
      expect(before.at(-1)!.answeredAt).toBeUndefined();
      await chat.post(room, text);
      await ana.page.locator('#messages .text', { hasText: text }).waitFor();
      await holding(chat.app, 1);
      const after = await ana.polls.all();
      expect(after).toHaveLength(before.length + 1);
      expect(after[before.length - 1]!.texts).toEqual([text]);
      expect(after[before.length - 1]!.pollAfterMs).toBe(0);
    }

    // Ana's own message: the held poll brings it too; sending adds no poll of its own.
    const n = await pollCount(ana.polls);
    await say(ana.page, 'and mine');
    await ana.page.locator('#messages .msg.mine .text', { hasText: 'and mine' }).waitFor();
    await holding(chat.app, 1);
    const afterSend = await ana.polls.all();
    expect(afterSend).toHaveLength(n + 1);
    expect(afterSend[n - 1]!.texts).toEqual(['and mine']);

    const all = await ana.polls.all();
    expect(all.every((p) => p.wait === 25 && p.failed === undefined)).toBe(true);
    // On the wire too: every poll after the first page asked for the hold.
    expect(wire.urls.length).toBeGreaterThanOrEqual(4);
    expect(wire.urls.every((u) => u.searchParams.get('wait') === '25')).toBe(true);
    expect(await shownTexts(ana.page)).toEqual(['one', 'two', 'three', 'and mine']);
  }, 90_000);

  it('polls a hidden tab at most every 30 s without holding, and long-polls again at once when it comes back', async () => {
    const chat = await ownChat();
    const room = uniqueRoom('hidden');
    const ana = await onClock(`${chat.url}/#${room}`);
    await holding(chat.app, 1);
    await ana.pause();

    // Hidden during a held poll: the hold is not cut short, and brings what comes meanwhile.
    await setTabHidden(ana.page, true);
    const heldPolls = await pollCount(ana.polls);
    await chat.post(room, 'while you were away');
    await eventually(
      () => ana.page.title(),
      (title) => expect(title).toBe(`(1) #${room} · Chat`),
    );
    await ana.polls.settle();
    const hiddenFrom = await ana.pageNow();

    // Four simulated minutes hidden, with a message after 100 s.
    await ana.advance(100_000, 2000);
    const postedAt = await ana.pageNow();
    await chat.post(room, 'and another one');
    await ana.advance(140_000, 2000);
    await expect(ana.page.title()).resolves.toBe(`(2) #${room} · Chat`);

    const hidden = (await ana.polls.all()).slice(heldPolls);
    expect(hidden.every((p) => p.wait === undefined && p.failed === undefined)).toBe(true);
    for (let i = 1; i < hidden.length; i++)
      expect(hidden[i]!.startedAt - hidden[i - 1]!.startedAt).toBeGreaterThanOrEqual(30_000);
    // 240 s at one poll per 30 s (and a step of 2 s): 8, never more; 6 leaves room for slack.
    const inWindow = hidden.filter((p) => p.startedAt >= hiddenFrom && p.startedAt < hiddenFrom + 240_000);
    expect(inWindow.length).toBeLessThanOrEqual(8);
    expect(inWindow.length).toBeGreaterThanOrEqual(6);
    // The message came with the first poll after it: at most 30 s (and a step) late.
    const carried = hidden.find((p) => p.texts?.includes('and another one'))!;
    expect(carried.startedAt - postedAt).toBeLessThanOrEqual(32_000);
    expect(hidden.filter((p) => p.startedAt > postedAt)[0]).toBe(carried);

    // Back: a held poll at once, on the paused clock; the title forgets the unread count.
    const before = await pollCount(ana.polls);
    await setTabHidden(ana.page, false);
    await holding(chat.app, 1);
    const back = (await ana.polls.all()).slice(before);
    expect(back).toHaveLength(1);
    expect(back[0]!.wait).toBe(25);
    await eventually(
      () => ana.page.title(),
      (title) => expect(title).toBe(`#${room} · Chat`),
    );
  }, 120_000);

  it('works against a server that does not hold (CHAT_WAIT_MAX_S=0): follows pollAfterMs, slower in a quiet room', async () => {
    const chat = await ownChat({ CHAT_WAIT_MAX_S: '0' });
    const room = uniqueRoom('capped');
    const ana = await onClock(`${chat.url}/#${room}`);
    await eventually(
      () => pollCount(ana.polls),
      (n) => expect(n).toBeGreaterThanOrEqual(1),
    );
    await ana.pause();
    await ana.advance(10_000, 500);
    await chat.post(room, 'short polls still work');
    await ana.advance(110_000, 500);
    await expect(shownTexts(ana.page)).resolves.toEqual(['short polls still work']);
    expect(chat.app.services.longPoll.holding()).toBe(0);

    const polls = await ana.polls.all();
    // The page asks for the hold all the same; the server answers at once with its pace.
    expect(polls.every((p) => p.wait === 25 && p.failed === undefined)).toBe(true);
    expect(polls.every((p) => p.pollAfterMs === 1000 || p.pollAfterMs === 2000)).toBe(true);
    const gaps = polls.slice(1).map((p, i) => ({ after: polls[i]!, gap: p.startedAt - polls[i]!.answeredAt! }));
    for (const { after, gap } of gaps) expect(gap).toBeGreaterThanOrEqual(after.pollAfterMs!);
    // 100 s after the last message the room is quiet: the waits have stretched past 2 s (up to 10 s).
    const late = gaps.filter(({ after }) => after.startedAt >= polls.at(-1)!.startedAt - 20_000);
    expect(Math.min(...late.map((g) => g.gap))).toBeGreaterThan(4000);
    expect(Math.max(...late.map((g) => g.gap))).toBeLessThanOrEqual(10_500);
    // About 2 minutes: far fewer polls than one a second, more than one per 10 s.
    expect(polls.length).toBeGreaterThan(12);
    expect(polls.length).toBeLessThan(60);
  }, 120_000);

  it('gives up the held poll when the room changes, on logout, and when the session ends', async () => {
    const chat = await ownChat();
    const [first, second] = [uniqueRoom('leave'), uniqueRoom('next')];
    const { prepare, recorder } = pollRecorder();
    const ana = await personIn(browser, `${chat.url}/#${first}`, 'Ana', {}, prepare);
    people.push(ana);
    const polls = recorder(ana.page);
    await holding(chat.app, 1);
    const inFlight = async (room: string) => {
      const all = await polls.all();
      const last = all.at(-1)!;
      expect(last.url).toContain(`/rooms/${room}/`);
      expect(last.answeredAt).toBeUndefined();
      return all.length;
    };
    const given = async (index: number) =>
      eventually(
        async () => (await polls.all())[index]!,
        (p) => expect(p.failed).toBe('AbortError'),
      );

    // Another room: the held poll of the first is aborted, the second is polled.
    const inFirst = await inFlight(first);
    await ana.page.evaluate((room) => (location.hash = room), second);
    await given(inFirst - 1);
    await eventually(
      () => polls.all(),
      (all) => {
        expect(all.at(-1)!.url).toContain(`/rooms/${second}/`);
        expect(all.at(-1)!.answeredAt).toBeUndefined();
      },
    );

    // Log out: aborted, and no poll after it.
    const inSecond = await inFlight(second);
    await ana.page.locator('#logout').click();
    await ana.page.locator('#login-view').waitFor();
    await given(inSecond - 1);
    await ana.page.waitForTimeout(500);
    expect(await pollCount(polls)).toBe(inSecond);

    // The session ends (the server refuses it on a send): aborted as well, and polling stops.
    await logIn(ana.page, 'Ana');
    await eventually(
      () => polls.all(),
      (all) => {
        expect(all.length).toBeGreaterThan(inSecond);
        expect(all.at(-1)!.answeredAt).toBeUndefined();
      },
    );
    await ana.page.route(
      (url) => url.pathname.endsWith('/messages'),
      (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 401,
              contentType: 'application/json',
              body: JSON.stringify({ error: { code: 'unauthorized', message: 'session expired' } }),
            })
          : route.continue(),
    );
    await say(ana.page, 'anyone?');
    await ana.page.locator('#login-view').waitFor();
    await expect(ana.page.locator('#login-error').textContent()).resolves.not.toBe('');
    // Typing may have ended a hold first (the room showed someone typing), so the poll given
    // up is the last one, whichever it is.
    const again = await pollCount(polls);
    await given(again - 1);
    await ana.page.waitForTimeout(500);
    expect(await pollCount(polls)).toBe(again);
  }, 90_000);

  it('shows "reconnecting" while the server is down and catches up on everything once it is back', async () => {
    const room = uniqueRoom('outage');
    // A server of its own, so that stopping it disturbs no other test.
    const own = await serve(app, webRoot);
    let current: RunningServer | undefined = own;
    try {
      const ana = await person(`${own.url}/#${room}`, 'Ana');
      await post(room, 'before the outage');
      await ana.page.locator('#messages .text', { hasText: 'before the outage' }).waitFor();
      await expect(ana.page.locator('#connection').getAttribute('data-state')).resolves.toBe('connected');

      await own.close();
      current = undefined;
      await ana.page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
      await expect(ana.page.locator('#connection-text').textContent()).resolves.toBe('Reconnecting…');
      // Written while the page cannot reach the server (the store keeps them).
      const during = Array.from({ length: 5 }, (_, i) => `during the outage ${i + 1}`);
      for (const text of during) await post(room, text);

      // Without a network at all, the indicator says so.
      await ana.page.context().setOffline(true);
      await ana.page.locator('#connection[data-state="offline"]').waitFor();
      await expect(ana.page.locator('#connection-text').textContent()).resolves.toBe('Offline');
      await ana.page.context().setOffline(false);

      current = await serve(app, webRoot, own.port);
      await ana.page.locator('#connection[data-state="connected"]').waitFor({ timeout: 40_000 });
      await post(room, 'after the outage');
      await eventually(
        () => shownTexts(ana.page),
        (texts) => expect(texts).toEqual(['before the outage', ...during, 'after the outage']),
        15_000,
      );
    } finally {
      await current?.close();
    }
  }, 90_000);

  it('offers "N new messages" instead of scrolling away from what the reader is reading, and announces them', async () => {
    const room = uniqueRoom('scrolled');
    for (let i = 1; i <= 40; i++) await post(room, `earlier ${i}\nwith a second line`);
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    await eventually(
      () => shownTexts(ana.page),
      (t) => expect(t).toHaveLength(40),
    );
    const pane = ana.page.locator('#message-pane');
    await pane.evaluate((p) => (p.scrollTop = 0));

    await post(room, 'news 1', 'Cy', 'u_c0c0c0c0c0c0c0c0');
    await ana.page.locator('#new-messages', { hasText: '1 new message' }).waitFor();
    await post(room, 'news 2', 'Cy', 'u_c0c0c0c0c0c0c0c0');
    await ana.page.locator('#new-messages', { hasText: '2 new messages' }).waitFor();
    expect(await pane.evaluate((p) => p.scrollTop)).toBe(0);
    await expect(ana.page.locator('#live').textContent()).resolves.toBe('Cy: news 2');

    await ana.page.locator('#new-messages').click();
    await expect(ana.page.locator('#new-messages').isHidden()).resolves.toBe(true);
    await expect(pane.evaluate((p) => p.scrollHeight - p.scrollTop - p.clientHeight)).resolves.toBeLessThan(2);

    // At the bottom, new messages scroll into view by themselves.
    await say(ana.page, 'I am back');
    await post(room, 'welcome back', 'Cy', 'u_c0c0c0c0c0c0c0c0');
    await ana.page.locator('#messages .text', { hasText: 'welcome back' }).waitFor();
    await expect(ana.page.locator('#new-messages').isHidden()).resolves.toBe(true);
    await expect(pane.evaluate((p) => p.scrollHeight - p.scrollTop - p.clientHeight)).resolves.toBeLessThan(2);
  }, 60_000);
});
