/**
 * Polling that respects people and cost: slower in a quiet room, at most once per 30 s in a
 * hidden tab and at once when it comes back, and a visible, self-healing connection when the
 * server goes away. Time is simulated with Playwright's clock where minutes must pass.
 */
import type { Browser, Page } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import {
  countPolls,
  eventually,
  personIn,
  say,
  serve,
  setTabHidden,
  shownTexts,
  type Person,
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

const post = (room: string, text: string, user = 'Bo', uid = 'u_b0b0b0b0b0b0b0b0') =>
  app.messageLog.appendMessage({ room, user, uid, text });

/**
 * Simulated time for one page: its timers only fire when the test moves the clock, in steps,
 * and each step waits (in real time) until the polls it started are answered.
 */
async function simulatedClock(page: Page) {
  await page.clock.install();
  let simulated = 0;
  const polls = countPolls(page, () => simulated);
  await page.clock.pauseAt(Date.now() + 1000);
  const settle = async () => {
    await page.waitForTimeout(15);
    while (polls.inFlight > 0) await page.waitForTimeout(5);
    await page.waitForTimeout(5);
  };
  return {
    polls,
    now: () => simulated,
    settle,
    async advance(ms: number, step = 500): Promise<void> {
      for (let done = 0; done < ms; done += step) {
        await page.clock.runFor(step);
        simulated += step;
        await settle();
      }
    },
  };
}

const perMinute = (times: readonly number[], from: number, to: number) =>
  (times.filter((t) => t >= from && t < to).length * 60_000) / (to - from);

describe('polling', () => {
  it('polls often in a conversation, less in a quiet room, at most every 30 s when hidden, and at once on return', async () => {
    const room = uniqueRoom('cadence');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    const clock = await simulatedClock(ana.page);
    const { polls } = clock;

    // A conversation: someone else writes every 5 s for a minute.
    for (let s = 0; s < 60; s += 5) {
      await post(room, `busy ${s}`);
      await clock.advance(5000);
    }
    const active = perMinute(polls.times, 0, 60_000);
    await eventually(
      () => shownTexts(ana.page),
      (t) => expect(t).toHaveLength(12),
    );

    // Then the room goes quiet for four minutes.
    await clock.advance(240_000, 1000);
    const quietFirst = perMinute(polls.times, 60_000, 120_000);
    const quietLater = perMinute(polls.times, 240_000, 300_000);

    // Hidden for four minutes while a message arrives.
    await setTabHidden(ana.page, true);
    const hiddenFrom = clock.now();
    await post(room, 'while you were away');
    await clock.advance(240_000, 2000);
    const hiddenTimes = polls.times.filter((t) => t >= hiddenFrom);
    const hidden = perMinute(polls.times, hiddenFrom, hiddenFrom + 240_000);
    await eventually(
      () => ana.page.title(),
      (title) => expect(title).toBe(`(1) #${room} · Chat`),
    );

    // Back: a poll at once, without any time passing; the title forgets the unread count.
    const before = polls.count;
    await setTabHidden(ana.page, false);
    await eventually(
      async () => polls.count,
      (n) => expect(n).toBe(before + 1),
      5000,
    );
    await eventually(
      () => ana.page.title(),
      (title) => expect(title).toBe(`#${room} · Chat`),
    );

    console.info(
      `polls per minute: conversation ${active.toFixed(1)}, quiet room first minute ${quietFirst.toFixed(1)}, ` +
        `quiet room after 3 minutes ${quietLater.toFixed(1)}, hidden tab ${hidden.toFixed(1)}`,
    );
    expect(active).toBeGreaterThan(quietFirst);
    expect(quietFirst).toBeGreaterThan(quietLater);
    expect(quietLater).toBeLessThanOrEqual(6);
    for (let i = 1; i < hiddenTimes.length; i++)
      expect(hiddenTimes[i]! - hiddenTimes[i - 1]!).toBeGreaterThanOrEqual(30_000);
    expect(hidden).toBeLessThanOrEqual(2);
  }, 120_000);

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
