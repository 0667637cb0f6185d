/**
 * A figure, not a verdict: how long a message takes from one real Chromium page to another
 * when both long-poll, from the Enter key in the sender's page to the message in the
 * receiver's list (both stamped with Date.now() in the pages, on this machine's one clock).
 * The goal is a p50 of at most 150 ms; the test reports what it measures, and fails
 * only when a message does not arrive at all.
 */
import type { Browser, Page } from 'playwright-core';
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { eventually, personIn, say, serve, type Person, usePage } from './support';

let browser: Browser;
let webRoot: string;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ browser, webRoot } = f));

const MESSAGES = 20;

/** Stamps, in the sender's page, the moment Enter sends each text. */
const stampSends = (page: Page) =>
  page.evaluate(() => {
    const sent: Record<string, number> = {};
    (window as unknown as { __sent: typeof sent }).__sent = sent;
    const box = document.querySelector<HTMLTextAreaElement>('#composer-text')!;
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key === 'Enter' && !event.shiftKey) sent[box.value] = Date.now();
      },
      true,
    );
  });

/** Stamps, in the receiver's page, the moment each text is first in its message list. */
const stampArrivals = (page: Page) =>
  page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    const list = document.querySelector('#messages')!;
    new MutationObserver(() => {
      const now = Date.now();
      for (const text of list.querySelectorAll('.msg .text')) {
        const t = text.textContent ?? '';
        if (!(t in seen)) seen[t] = now;
      }
    }).observe(list, { childList: true, subtree: true });
  });

const stamps = (page: Page, name: '__sent' | '__seen') =>
  page.evaluate((n) => (window as unknown as Record<string, Record<string, number>>)[n]!, name);

/** Nearest-rank percentile. */
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(chat: App, label: string): Promise<void> {
  const running = await serve(chat, webRoot);
  try {
    const room = uniqueRoom('delivery');
    const ana = await personIn(browser, `${running.url}/#${room}`, 'Ana');
    const bo = await personIn(browser, `${running.url}/#${room}`, 'Bo');
    people.push(ana, bo);
    await Promise.all([stampSends(ana.page), stampArrivals(bo.page)]);
    const bothHeld = () =>
      eventually(
        async () => chat.services.longPoll.holding(),
        (n) => expect(n).toBe(2),
        15_000,
      );
    const texts = Array.from({ length: MESSAGES + 1 }, (_, i) => `delivery ${i} ${label}`);
    for (const text of texts) {
      // Each message is sent while both pages hold a poll, as in a conversation at rest.
      await bothHeld();
      await say(ana.page, text);
      await bo.page.locator('#messages .msg .text', { hasText: text }).waitFor({ timeout: 15_000 });
    }
    const [sent, seen] = await Promise.all([stamps(ana.page, '__sent'), stamps(bo.page, '__seen')]);
    // The first message warms up the pages and the server; it is left out.
    const delays = texts.slice(1).map((text) => seen[text]! - sent[text]!);
    expect(delays.every((d) => Number.isFinite(d))).toBe(true);
    const sorted = [...delays].sort((a, b) => a - b);
    console.info(
      `browser delivery, ${label}, ${MESSAGES} messages: p50 ${percentile(sorted, 50)} ms, ` +
        `p99 ${percentile(sorted, 99)} ms (min ${sorted[0]}, max ${sorted.at(-1)})`,
    );
  } finally {
    // The pages go before their server (usePage still checks them for problems afterwards).
    await Promise.all(people.map((p) => p.context.close()));
    chat.services.close();
    await running.close();
  }
}

describe('delivery between two long-polling pages (a figure, reported)', () => {
  it('as npm start runs: the sole writer of its store, the held poll woken in-process and answered from memory', async () => {
    await measure(loadApp({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' }), 'sole writer');
  }, 60_000);

  it('on a shared store (DYNAMODB_ENDPOINT): woken in-process by the send, then one store query', async () => {
    await measure(loadApp({ CHAT_SEND_RATE: '0' }), 'shared store');
  }, 60_000);
});
