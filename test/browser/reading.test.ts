/**
 * How a room reads in real Chromium: web links in messages, one name over a run of messages
 * from the same person, and a line for each day.
 */
import type { Browser, Page } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import { middayZone, type Row, seedMessages } from './seed';
import { eventually, personIn, type Person, type RunningServer, say, sessionOf, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const MINUTE = 60_000;

async function reader(room: string, name = 'Reader', locale = 'en-US'): Promise<Person> {
  const person = await personIn(browser, `${server.url}/#${room}`, name, { locale, timezoneId: middayZone().zone });
  people.push(person);
  return person;
}

const seedAt = (room: string, rows: readonly Row[]) => seedMessages(room, rows);

/** For each message on the page, in order: its text, and whether it continues the run before it. */
function runs(page: Page): Promise<[string, boolean][]> {
  return page
    .locator('#messages .msg, #pending .msg')
    .evaluateAll((items) =>
      items.map((e): [string, boolean] => [e.querySelector('.text')?.textContent ?? '', e.classList.contains('cont')]),
    );
}

describe('links in messages', () => {
  it('makes exactly the http(s) URL a link, opening apart, and leaves HTML-looking text as text', async () => {
    const room = uniqueRoom('links');
    const text =
      '<a href="javascript:alert(1)">click</a> javascript:alert(2) data:text/html,<b>x</b> ' +
      'see https://example.com/search?q=a&lang=zh. <img src=x onerror=alert(3)>';
    await app.messageLog.appendMessage({ room, user: 'Ana', uid: 'u_a000000000000000', text });
    const { page } = await reader(room);
    const message = page.locator('#messages .msg .text');
    await message.waitFor();

    await expect(message.textContent()).resolves.toBe(text);
    const elements = await message.evaluate((box) =>
      [...box.querySelectorAll('*')].map((e) => ({
        tag: e.tagName,
        attributes: Object.fromEntries([...e.attributes].map((a) => [a.name, a.value])),
        text: e.textContent,
      })),
    );
    expect(elements).toEqual([
      {
        tag: 'A',
        attributes: { href: 'https://example.com/search?q=a&lang=zh', target: '_blank', rel: 'noopener noreferrer' },
        text: 'https://example.com/search?q=a&lang=zh',
      },
    ]);
    expect(await page.locator('#message-pane img, #message-pane b, #message-pane script').count()).toBe(0);
  }, 60_000);
});

describe('runs of messages', () => {
  it('shows one name over messages from the same person within 5 minutes, as history loads and messages come', async () => {
    const room = uniqueRoom('runs');
    // Four messages a person, a minute apart, then the next person; a 10-minute pause before 111.
    const now = Date.now();
    const rows: Row[] = Array.from({ length: 120 }, (_, i) => {
      const id = i + 1;
      const person = Math.floor(i / 4) % 3;
      return {
        uid: `u_${String(person).repeat(16)}`,
        user: ['Ana', 'Bo', '小明'][person]!,
        text: `m ${id}`,
        ts: new Date(now - (121 - id) * MINUTE - (id < 111 ? 10 * MINUTE : 0)),
      };
    });
    await seedAt(room, rows);
    const startsRun = (id: number) => (id - 1) % 4 === 0 || id === 111;
    const expected = (from: number, to: number): [string, boolean][] =>
      Array.from({ length: to - from + 1 }, (_, i) => [`m ${from + i}`, i > 0 && !startsRun(from + i)]);
    const { page } = await reader(room);

    // The newest 50 (71–120): 71 is the first shown, so it carries its name though it continues a run.
    await eventually(
      () => runs(page),
      (shown) => expect(shown).toEqual(expected(71, 120)),
    );
    const name = (id: number) => page.locator(`#messages .msg[data-id="${id}"] .user`);
    const width = (id: number) => name(id).evaluate((e) => e.getBoundingClientRect().width);
    await expect(width(72)).resolves.toBeLessThanOrEqual(1);
    await expect(width(73)).resolves.toBeGreaterThan(10);

    // Older history above: 71 now follows 70 of the same run.
    // Clicked where it is: scrolling to it would reach the top, which loads by itself and takes the button away.
    await page.locator('#load-older').dispatchEvent('click');
    await eventually(
      () => runs(page),
      (shown) => expect(shown).toEqual(expected(1, 120)),
    );

    // The time of a message in a run shows when the pointer is on it.
    const time = page.locator('#messages .msg[data-id="118"] time');
    await expect(time.isVisible()).resolves.toBe(false);
    await page.locator('#messages .msg[data-id="118"]').hover();
    await expect(time.isVisible()).resolves.toBe(true);

    // A poll brings 121 from the person of 120 (a minute later): it continues the run; then someone else.
    const last = rows[119]!;
    await app.messageLog.appendMessage({ room, user: last.user, uid: last.uid, text: 'm 121' });
    await app.messageLog.appendMessage({ room, user: 'Eve', uid: 'u_eeeeeeeeeeeeeeee', text: 'm 122' });
    await eventually(
      () => runs(page),
      (shown) =>
        expect(shown.slice(-3)).toEqual([
          ['m 120', true],
          ['m 121', true],
          ['m 122', false],
        ]),
    );

    // Our own: the first starts a run and the next continues it, while on their way (held here) and once stored.
    const me = await sessionOf(page);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() === 'POST') await held;
        return route.continue();
      },
    );
    await say(page, 'mine 1');
    await say(page, 'mine 2');
    await page.locator('#pending .msg.sending', { hasText: 'mine 2' }).waitFor();
    const ours: [string, boolean][] = [
      ['m 122', false],
      ['mine 1', false],
      ['mine 2', true],
    ];
    expect((await runs(page)).slice(-3)).toEqual(ours);
    release();
    await page.locator('#messages .msg.mine', { hasText: 'mine 2' }).waitFor();
    expect((await runs(page)).slice(-3)).toEqual(ours);
    await expect(
      page.locator('#messages .msg.mine').evaluateAll((items) => items.map((e) => (e as HTMLElement).dataset.uid)),
    ).resolves.toEqual([me.uid, me.uid]);
  }, 90_000);
});

/** The list as read from top to bottom: a day's line as "— label", a message as its text (with "+" when it continues a run). */
function outline(page: Page, list = '#messages'): Promise<string[]> {
  return page
    .locator(`${list} > li`)
    .evaluateAll((items) =>
      items.map((e) =>
        e.classList.contains('day')
          ? `— ${e.textContent}`
          : `${e.classList.contains('cont') ? '+' : ''}${e.querySelector('.text')?.textContent ?? ''}`,
      ),
    );
}

/** How `en` or `zh-CN` says a day that is neither today nor yesterday, in the zone the page runs in. */
function dateLabel(day: Date, zone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric', timeZone: zone }).format(
    day,
  );
}

describe('days', () => {
  const ana = { uid: 'u_a000000000000000', user: 'Ana' };
  const bo = { uid: 'u_b000000000000000', user: 'Bo' };

  it('puts a line above the first message of each day (Today, Yesterday, then the date), and a run starts again after it', async () => {
    const { zone, at } = middayZone();
    // 1–20 three days ago; 21–55 yesterday evening, Bo's last at 23:58; 56 Bo again at 00:01
    // today (3 minutes later, but on another day); 57–70 this morning.
    const rows: Row[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ ...ana, text: `m ${i + 1}`, ts: at(-3, 10, i) })),
      ...Array.from({ length: 34 }, (_, i) => ({ ...(i % 2 ? bo : ana), text: `m ${i + 21}`, ts: at(-1, 20, i) })),
      { ...bo, text: 'm 55', ts: at(-1, 23, 58) },
      { ...bo, text: 'm 56', ts: at(0, 0, 1) },
      ...Array.from({ length: 14 }, (_, i) => ({ ...bo, text: `m ${i + 57}`, ts: at(0, 8, i) })),
    ];
    const room = uniqueRoom('days');
    await seedAt(room, rows);
    const { page } = await reader(room);
    const texts = (from: number, to: number, cont: boolean) =>
      Array.from({ length: to - from + 1 }, (_, i) => `${cont ? '+' : ''}m ${from + i}`);
    // Ana and Bo take turns yesterday; this morning, Bo writes a minute apart.
    const yesterday = ['— Yesterday', ...texts(21, 55, false)];
    const today = ['— Today', 'm 56', 'm 57', ...texts(58, 70, true)];

    // The newest 50 (21–70): 56 continues nobody's run, though Bo wrote 55 three minutes before.
    await eventually(
      () => outline(page),
      (shown) => expect(shown).toEqual([...yesterday, ...today]),
    );
    await expect(page.locator('#messages .msg[data-id="56"] .user').isVisible()).resolves.toBe(true);

    // History above: the date of three days ago, in the reader's locale.
    // Clicked where it is: scrolling to it would reach the top, which loads by itself and takes the button away.
    await page.locator('#load-older').dispatchEvent('click');
    await eventually(
      () => outline(page),
      (shown) =>
        expect(shown).toEqual([
          `— ${dateLabel(at(-3, 12), zone, 'en')}`,
          'm 1',
          ...texts(2, 20, true),
          ...yesterday,
          ...today,
        ]),
    );

    // A poll brings today's messages under today's line; our own send too, on its way and once stored.
    await app.messageLog.appendMessage({ room, ...ana, text: 'm 71' });
    await page.locator('#messages .msg[data-id="71"]').waitFor();
    await say(page, 'mine');
    await page.locator('#messages .msg.mine').waitFor();
    expect((await outline(page)).slice(-4)).toEqual(['+m 69', '+m 70', 'm 71', 'mine']);
    expect(await page.locator('#messages .day').count()).toBe(3);
    expect(await page.locator('#pending > li').count()).toBe(0);

    // The lines are list items of the list of messages, and say their day to a screen reader.
    await expect(
      page.locator('#messages > .day').evaluateAll((lines) => lines.map((l) => l.tagName + l.getAttribute('role'))),
    ).resolves.toEqual(['LInull', 'LInull', 'LInull']);
    await expect(page.locator('#messages > .day time').last().getAttribute('datetime')).resolves.toMatch(
      /^\d{4}-\d\d-\d\d$/,
    );
  }, 90_000);

  it('shows today’s line above our own first message of the day while it is on its way, and no line left behind once it is stored', async () => {
    const { at } = middayZone();
    const room = uniqueRoom('first-today');
    await seedAt(room, [{ ...ana, text: 'last night', ts: at(-1, 22, 0) }]);
    const { page } = await reader(room, 'Reader', 'zh-CN');
    await page.locator('#messages .msg').waitFor();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() === 'POST') await held;
        return route.continue();
      },
    );
    await say(page, '早上好');
    await page.locator('#pending .msg.sending').waitFor();
    expect(await outline(page)).toEqual(['— 昨天', 'last night']);
    expect(await outline(page, '#pending')).toEqual(['— 今天', '早上好']);

    release();
    await page.locator('#messages .msg.mine').waitFor();
    expect(await outline(page)).toEqual(['— 昨天', 'last night', '— 今天', '早上好']);
    expect(await outline(page, '#pending')).toEqual([]);

    // In English, the same lines.
    await page.locator('#chat-view .lang-switch').click();
    expect(await outline(page)).toEqual(['— Yesterday', 'last night', '— Today', '早上好']);
  }, 60_000);

  it('moves "Today" to "Yesterday" at midnight, on the page’s clock', async () => {
    const { zone, at } = middayZone();
    const room = uniqueRoom('midnight');
    await seedAt(room, [
      { ...ana, text: 'yesterday', ts: at(-1, 18, 0) },
      { ...bo, text: 'this morning', ts: at(0, 9, 0) },
    ]);
    const person = await personIn(browser, `${server.url}/#${room}`, 'Reader', { timezoneId: zone }, (p) =>
      p.clock.install(),
    );
    people.push(person);
    const { page } = person;
    await eventually(
      () => outline(page),
      (shown) => expect(shown).toEqual(['— Yesterday', 'yesterday', '— Today', 'this morning']),
    );

    const now = await page.evaluate(() => Date.now());
    await page.clock.fastForward(at(1, 0, 1).getTime() - now);
    await eventually(
      () => outline(page),
      (shown) =>
        expect(shown).toEqual([`— ${dateLabel(at(-1, 12), zone, 'en')}`, 'yesterday', '— Yesterday', 'this morning']),
    );
  }, 60_000);
});

describe('long messages', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1} of a long message`).join('\n');
  const paragraph = `${'A paragraph that goes on and on, '.repeat(60)}the end.`;

  it('collapses a long message under "Show more", opens and closes it from the keyboard, and keeps the whole text', async () => {
    const room = uniqueRoom('long');
    for (const text of [lines, 'short', paragraph])
      await app.messageLog.appendMessage({ room, user: 'Ana', uid: 'u_a000000000000000', text });
    const { page } = await reader(room);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('#messages .msg').nth(2).waitFor();

    const message = (n: number) => page.locator('#messages .msg').nth(n);
    const clipped = (n: number) =>
      message(n)
        .locator('.text')
        .evaluate((e) => e.scrollHeight > e.clientHeight + 1);
    await expect(message(1).locator('.more').count()).resolves.toBe(0);
    for (const n of [0, 2]) {
      const more = message(n).locator('button.more');
      await expect(more.textContent()).resolves.toBe('Show more');
      await expect(more.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(more.getAttribute('aria-controls')).resolves.toBe(
        await message(n).locator('.text').getAttribute('id'),
      );
      await expect(clipped(n)).resolves.toBe(true);
    }
    // Collapsed, the text is all there: for screen readers, and for selection and copy.
    await expect(message(0).locator('.text').textContent()).resolves.toBe(lines);
    await message(0).locator('.text').selectText();
    await expect(page.evaluate(() => getSelection()?.toString())).resolves.toBe(lines);
    await page.keyboard.press('Control+C');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(lines);

    // Opened with Enter, closed with Space, from the keyboard.
    const more = message(2).locator('button.more');
    await more.focus();
    await page.keyboard.press('Enter');
    await expect(more.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(more.textContent()).resolves.toBe('Show less');
    await expect(clipped(2)).resolves.toBe(false);
    await page.keyboard.press('Space');
    await expect(more.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(clipped(2)).resolves.toBe(true);

    // In Chinese too.
    await page.locator('#chat-view .lang-switch').click();
    await expect(more.textContent()).resolves.toBe('展开全文');
  }, 60_000);
});
