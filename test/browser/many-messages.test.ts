/**
 * Ten thousand messages arriving at an open page: every one arrives, once and in order, the
 * DOM is kept under its bound (the newest shown, the rest reloadable), and nodes already there
 * are kept, never re-rendered. How long it takes is the page-render benchmark's figure
 * (`npm run bench -- page-render`), not a test's: this machine is shared.
 */
import type { Browser } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import { personIn, type Person, pollRecorder, type RunningServer, usePage } from './support';
import { type Row, seedMessages } from './seed';

const MESSAGES = 10_000;
/** MAX_RENDERED in web/src/message-list.ts */
const DOM_BOUND = 3000;

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const NAMES = ['Ana', 'Bo', '小明', 'Ça va', 'Dmitri', '美玲', 'Eve', 'Fatima'];

/** Messages `firstId` … from several people, stamped now; every seventh is two lines long. */
function rows(firstId: number, count: number): Row[] {
  const ts = new Date();
  return Array.from({ length: count }, (_, i) => {
    const n = i % NAMES.length;
    const id = firstId + i;
    return {
      user: NAMES[n]!,
      uid: `u_${String(n).repeat(16)}`,
      text:
        id % 7 === 0
          ? `message ${id}\nwith a second line, and a longer sentence to wrap on a narrow screen`
          : `message ${id}`,
      ts,
    };
  });
}

const idOf = (text: string) => Number(/^message (\d+)/.exec(text)?.[1]);

describe('a room with many messages', () => {
  it(`takes in ${MESSAGES} arriving messages, each once and in order, with a bounded DOM`, async () => {
    const room = uniqueRoom('many');
    await seedMessages(room, rows(1, 1));
    const { prepare, recorder } = pollRecorder();
    const person = await personIn(browser, `${server.url}/#${room}`, 'Reader', {}, prepare);
    people.push(person);
    const { page } = person;
    await page.locator('#messages .msg').first().waitFor();

    // The page's next poll waits at the door while the messages are written.
    let open!: () => void;
    const door = new Promise<void>((resolve) => (open = resolve));
    await page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        await door;
        return route.continue();
      },
    );
    await seedMessages(room, rows(2, MESSAGES), 2);
    open();
    await page.waitForFunction(
      (id) => document.querySelector(`#messages .msg[data-id="${id}"]`) !== null,
      MESSAGES + 1,
      { polling: 500, timeout: 90_000 },
    );

    // Every id reached the page, once, in order, over its polls.
    const arrived = (await recorder(page).all()).flatMap((poll) => poll.texts ?? []).map(idOf);
    expect(arrived).toEqual(Array.from({ length: MESSAGES }, (_, i) => i + 2));

    // Bounded DOM, the newest shown in order, no id twice; the rest reloadable with "load older".
    const ids = await page
      .locator('#messages .msg')
      .evaluateAll((items) => items.map((e) => Number((e as HTMLElement).dataset.id)));
    expect(ids.length).toBeLessThanOrEqual(DOM_BOUND);
    expect(ids.length).toBeGreaterThan(DOM_BOUND / 2);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => MESSAGES + 2 - ids.length + i));
    // One day: one line for it, at the top.
    await expect(page.locator('#messages > li').first().getAttribute('class')).resolves.toBe('day');
    expect(await page.locator('#messages .day').count()).toBe(1);
    await expect(page.locator('#load-older').isVisible()).resolves.toBe(true);
    const pane = page.locator('#message-pane');
    await expect(pane.evaluate((p) => p.scrollHeight - p.scrollTop - p.clientHeight)).resolves.toBeLessThan(2);

    // A new message is appended: the nodes already there are kept, not re-rendered.
    await page
      .locator(`#messages .msg[data-id="${MESSAGES + 1}"]`)
      .evaluate((e) => ((e as unknown as { marked: boolean }).marked = true));
    await app.messageLog.appendMessage({ room, user: 'Ana', uid: 'u_0000000000000000', text: 'one more' });
    await page.locator(`#messages .msg[data-id="${MESSAGES + 2}"]`).waitFor();
    await expect(
      page
        .locator(`#messages .msg[data-id="${MESSAGES + 1}"]`)
        .evaluate((e) => (e as unknown as { marked?: boolean }).marked),
    ).resolves.toBe(true);
    expect(person.problems).toEqual([]);
  }, 180_000);
});
