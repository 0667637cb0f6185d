/**
 * How a room reads in real Chromium: web links in messages, one name over a run of messages
 * from the same person, and a line for each day.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { roomKey } from '#aws/table';
import { uniqueRoom, type App } from '#test/support/app';
import { eventually, personIn, type Person, type RunningServer, say, sessionOf, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const MINUTE = 60_000;

/**
 * A fixed-offset time zone where it is now about midday, so that the last hours and the days
 * before fall on the days the test means, whatever time the machine's clock shows.
 */
function middayZone(): string {
  const offset = Math.max(-12, Math.min(14, 12 - new Date().getUTCHours()));
  // Etc/GMT-N is N hours ahead of UTC (the POSIX sign).
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

async function reader(room: string, name = 'Reader', locale = 'en-US'): Promise<Person> {
  const person = await personIn(browser, `${server.url}/#${room}`, name, { locale, timezoneId: middayZone() });
  people.push(person);
  return person;
}

interface Row {
  readonly uid: string;
  readonly user: string;
  readonly text: string;
  readonly ts: Date;
}

/** Stores messages with ids 1, 2, … and the times given straight in the table (the log would stamp them now). */
async function seedAt(room: string, rows: readonly Row[]): Promise<void> {
  const store = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const items = rows.map((row, i) => ({ pk: roomKey(room), sk: i + 1, ...row, ts: row.ts.toISOString() }));
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [process.env.CHAT_TABLE_NAME!]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length > 0) {
      const result = await store.send(new BatchWriteCommand({ RequestItems: request }));
      request = result.UnprocessedItems as typeof request;
    }
  }
  store.destroy();
}

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
    await page.locator('#load-older').click();
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
