/**
 * The rooms sidebar in real Chromium, with two people: unread counts and mention marks of the
 * rooms in the background, the title's count, the "new messages" line, mentions highlighted,
 * desktop notifications (only while the tab is hidden; mentions only, unless the room is set to
 * "notify all"), leaving a room from the list with the keyboard, and the drawer on a phone.
 *
 * The page checks background rooms every 30 s; here an init script shortens that to
 * CHECK_MS (the page reads `window.chatTestHooks.roomCheckMs`). Nothing waits a fixed time:
 * each step waits (generously) for what the page shows, and the request pacing is checked on
 * the page's own clock, where a timer can never fire early, however loaded the machine.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import {
  type Person,
  type Prepare,
  type RunningServer,
  personIn,
  say,
  sessionOf,
  setTabHidden,
  shownTexts,
  usePage,
} from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const CHECK_MS = 300;
const SHOWS = { timeout: 20_000 };

interface Recorded {
  readonly url: string;
  readonly at: number;
}

/** Shortens the background checks and records every API read the page makes, on its own clock. */
const checkedOften: Prepare = async (page) => {
  await page.addInitScript((ms) => {
    (window as unknown as { chatTestHooks: unknown }).chatTestHooks = { roomCheckMs: ms };
    const reads: { url: string; at: number }[] = [];
    (window as unknown as { __reads: unknown }).__reads = reads;
    const original = window.fetch.bind(window);
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if ((init?.method ?? 'GET') === 'GET' && url.includes('/messages?')) reads.push({ url, at: performance.now() });
      return original(input, init);
    };
  }, CHECK_MS);
};

/** Records the notifications the page makes (the real ones are made too). */
const notificationsRecorded: Prepare = async (page) => {
  await page.addInitScript(() => {
    const shown: { title: string; body: string; silent: boolean }[] = [];
    (window as unknown as { __notifications: unknown }).__notifications = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body ?? '', silent: options?.silent === true });
        super(title, options);
      }
    }
    window.Notification = Recorded;
  });
};

const reads = (page: Page): Promise<Recorded[]> =>
  page.evaluate(() => (window as unknown as { __reads: Recorded[] }).__reads.slice());
const notifications = (page: Page): Promise<{ title: string; body: string; silent: boolean }[]> =>
  page.evaluate(() => (window as unknown as { __notifications: never[] }).__notifications.slice());

const item = (page: Page, room: string) => page.locator(`#rooms-list .room-item[data-room="${room}"]`);
const unreadOf = async (page: Page, room: string): Promise<string> => {
  const count = item(page, room).locator('.room-unread');
  return (await count.isVisible()) ? ((await count.textContent()) ?? '') : '';
};
/** The room whose link has the keyboard focus. */
const focusedRoom = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest<HTMLElement>('.room-item')?.dataset.room);
const mentionedIn = (page: Page, room: string): Promise<boolean> =>
  item(page, room).locator('.room-mention').isVisible();

/** Waits until the room's count in the list reads `count` ('' for none). */
async function countShows(page: Page, room: string, count: string): Promise<void> {
  await page.waitForFunction(
    ([r, c]) => {
      const badge = document.querySelector<HTMLElement>(`#rooms-list .room-item[data-room="${r}"] .room-unread`);
      return badge !== null && (badge.hidden ? '' : badge.textContent) === c;
    },
    [room, count] as const,
    SHOWS,
  );
}

async function openRoom(page: Page, room: string): Promise<void> {
  await page.evaluate((r) => (location.hash = r), room);
  await page.locator('#room-title', { hasText: `#${room}` }).waitFor(SHOWS);
  await item(page, room)
    .locator('.room-link[aria-current="page"]')
    .waitFor({ state: 'attached', ...SHOWS });
}

/** Opens an empty room and waits until it has been read, so the page knows where it stands there. */
async function openEmptyRoom(page: Page, room: string): Promise<void> {
  await openRoom(page, room);
  await page.locator('#empty-room').waitFor(SHOWS);
}

/** Robin, who has joined `rooms` (in that order) and is back in the first. */
async function robinIn(rooms: string[], options: BrowserContextOptions = {}, ...prepare: Prepare[]): Promise<Person> {
  const robin = await personIn(browser, `${server.url}/#${rooms[0]}`, 'Robin', options, async (page) => {
    for (const p of [checkedOften, ...prepare]) await p(page);
  });
  people.push(robin);
  await item(robin.page, rooms[0]!).waitFor({ state: 'attached', ...SHOWS });
  await robin.page.locator('#empty-room').waitFor(SHOWS);
  for (const room of [...rooms.slice(1), rooms[0]!]) await openEmptyRoom(robin.page, room);
  return robin;
}

/** Ana, logged in in her own browser, in `room`; `post` writes as her in any room. */
async function anaIn(room: string) {
  const ana = await personIn(browser, `${server.url}/#${room}`, 'Ana');
  people.push(ana);
  const me = await sessionOf(ana.page);
  const post = (where: string, text: string) =>
    app.messageLog.appendMessage({ room: where, user: me.name, uid: me.uid, text });
  return { ...ana, uid: me.uid, post };
}

describe('the rooms sidebar', () => {
  it('counts unread messages and mentions in three rooms, with the total in the title, and checks background rooms lightly', async () => {
    const [a, b, c] = [uniqueRoom('side-a'), uniqueRoom('side-b'), uniqueRoom('side-c')];
    const robin = await robinIn([a, b, c]);
    const { page } = robin;
    const robinSession = await sessionOf(page);
    const ana = await anaIn(b);
    expect(await page.locator('#rooms-list .room-name').allTextContents()).toEqual([`#${a}`, `#${b}`, `#${c}`]);

    await ana.post(b, 'hello');
    await app.messageLog.appendMessage({ room: b, user: 'Robin', uid: robinSession.uid, text: 'mine, from my phone' });
    await ana.post(b, 'look @robin, here');
    // Changes append update entries to the log (API v2): those are never counted. (A read shows a
    // message as it reads now, so an edit that added a mention could be counted as one, rightly,
    // when the page reads the message only after the edit: this edit adds none.)
    const changed = await ana.post(c, 'hi there');
    const change = { room: c, id: changed.message.id, user: 'Ana', uid: ana.uid };
    await app.messageLog.changeMessage({ ...change, change: { kind: 'edit', text: 'hi there, all' } });
    await app.messageLog.changeMessage({ ...change, change: { kind: 'react', emoji: '👍', on: true } });
    await ana.post(c, 'one more');
    await countShows(page, b, '2');
    await countShows(page, c, '2');
    expect(await mentionedIn(page, b)).toBe(true);
    expect(await mentionedIn(page, c)).toBe(false);
    expect(await unreadOf(page, a)).toBe('');
    expect(await page.title()).toBe(`(4) #${a} · Chat`);
    // c's head is past its messages: its last check read the update entries too, and counted none.
    expect((await reads(page)).some((r) => r.url.includes(`/rooms/${c}/messages?after=`))).toBe(true);
    // The list says it in words too.
    await expect(item(page, b).locator('.room-link').textContent()).resolves.toContain('2 unread, mentions you');

    // Only the open room long-polls; the others get a newest read (limit=1) at most once per CHECK_MS.
    const settled = (await reads(page)).length;
    await page.waitForFunction(
      ([from, room]) =>
        (window as unknown as { __reads: { url: string }[] }).__reads
          .slice(from)
          .filter((r) => r.url.includes(`/rooms/${room}/messages?limit=1`)).length >= 3,
      [settled, b] as const,
      SHOWS,
    );
    const all = await reads(page);
    for (const read of all.filter((r) => r.url.includes('wait='))) expect(read.url).toContain(`/rooms/${a}/`);
    for (const room of [b, c]) {
      const light = all.filter((r) => r.url.includes(`/rooms/${room}/messages?limit=1`)).map((r) => r.at);
      for (let i = 1; i < light.length; i++) expect(light[i]! - light[i - 1]!).toBeGreaterThanOrEqual(CHECK_MS - 1);
    }
    // A room whose head did not move is not read further.
    expect(all.slice(settled).filter((r) => r.url.includes(`/rooms/${b}/messages?after=`))).toEqual([]);

    // Back in b: its count goes, the line is above the first message from someone else, and the mention is marked.
    await item(page, b).locator('.room-link').click();
    await page.locator('#room-title', { hasText: `#${b}` }).waitFor(SHOWS);
    await countShows(page, b, '');
    expect(await mentionedIn(page, b)).toBe(false);
    expect(await page.title()).toBe(`(2) #${b} · Chat`);
    await page.locator('#messages .unread-line').waitFor(SHOWS);
    expect(await page.locator('#messages .unread-line + .msg .text').textContent()).toBe('hello');
    expect(await page.locator('#messages .unread-line').textContent()).toBe('New messages');
    const marked = page.locator('#messages .msg.mentions-me');
    await expect(marked.locator('.text').textContent()).resolves.toBe('look @robin, here');
    await expect(marked.locator('.mention.me').textContent()).resolves.toBe('@robin');
    await expect(marked.locator('.mention-mark').textContent()).resolves.toBe('mentions you');

    // Robin names Ana, who is here: highlighted for both, and for Ana as a mention of her.
    await page.locator('#people-list .person', { hasText: 'Ana' }).waitFor(SHOWS);
    await ana.page.locator('#people-list .person', { hasText: 'Robin' }).waitFor(SHOWS);
    await say(page, '@Ana thanks! https://example.com/@Ana');
    const sent = page.locator('#messages .msg.mine', { hasText: 'thanks' });
    await sent.waitFor(SHOWS);
    await expect(sent.locator('.mention').allTextContents()).resolves.toEqual(['@Ana']);
    // A mention and a link side by side, each built as its own node; the @ in the URL stays in the link.
    await expect(sent.locator('a').getAttribute('href')).resolves.toBe('https://example.com/@Ana');
    const atAna = ana.page.locator('#messages .msg.mentions-me', { hasText: 'thanks' });
    await atAna.waitFor(SHOWS);
    await expect(atAna.locator('.mention.me').textContent()).resolves.toBe('@Ana');

    // The title keeps the count of c, the room still unread.
    expect(await unreadOf(page, c)).toBe('2');
    expect(await page.title()).toBe(`(2) #${b} · Chat`);
  }, 120_000);

  it('shows the "new messages" line above what came while the tab was hidden', async () => {
    const room = uniqueRoom('line');
    const robin = await robinIn([room]);
    const ana = await anaIn(room);
    await ana.post(room, 'seen before');
    await robin.page.locator('#messages .msg .text', { hasText: 'seen before' }).waitFor(SHOWS);
    expect(await robin.page.locator('#messages .unread-line').count()).toBe(0);

    await setTabHidden(robin.page, true);
    await ana.post(room, 'while away');
    await robin.page.locator('#messages .msg .text', { hasText: 'while away' }).waitFor(SHOWS);
    await robin.page.waitForFunction(() => document.title.startsWith('(1) '), undefined, SHOWS);
    expect(await robin.page.locator('#messages .unread-line').count()).toBe(0);

    await setTabHidden(robin.page, false);
    await robin.page.locator('#messages .unread-line').waitFor(SHOWS);
    expect(await robin.page.locator('#messages .unread-line + .msg .text').textContent()).toBe('while away');
    await robin.page.waitForFunction(() => !document.title.startsWith('('), undefined, SHOWS);

    // The line stays where it is while the reader reads on, in the language they choose.
    await say(ana.page, 'and now');
    await robin.page.locator('#messages .msg .text', { hasText: 'and now' }).waitFor(SHOWS);
    expect(await robin.page.locator('#messages .unread-line + .msg .text').textContent()).toBe('while away');
    await robin.page.locator('#chat-view .lang-switch').click();
    expect(await robin.page.locator('#messages .unread-line').textContent()).toBe('以下是新消息');
    expect(await shownTexts(robin.page)).toEqual(['seen before', 'while away', 'and now']);
  }, 90_000);

  it('leaves a room from the list with the keyboard, and remembers the list over a reload', async () => {
    const [a, b, c] = [uniqueRoom('leave-a'), uniqueRoom('leave-b'), uniqueRoom('leave-c')];
    const robin = await robinIn([a, b, c]);
    const { page } = robin;

    // A background room: Tab from its link to its bell, then to its leave button.
    await item(page, b).locator('.room-link').focus();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(
      `Notify me of every message in #${b}`,
    );
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(`Leave #${b}`);
    await page.keyboard.press('Enter');
    await item(page, b).waitFor({ state: 'detached', ...SHOWS });
    // The keyboard stays in the list, on the next room.
    await expect(focusedRoom(page)).resolves.toBe(c);
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe('room-link');
    await expect(page.locator('#room-title').textContent()).resolves.toBe(`#${a}`);

    // The open room: the next one opens.
    await item(page, a).locator('.room-leave').focus();
    await page.keyboard.press('Enter');
    await page.locator('#room-title', { hasText: `#${c}` }).waitFor(SHOWS);
    expect(await page.locator('#rooms-list .room-name').allTextContents()).toEqual([`#${c}`]);

    await page.reload();
    await page.locator('#room-title', { hasText: `#${c}` }).waitFor(SHOWS);
    await item(page, c).locator('.room-link[aria-current="page"]').waitFor(SHOWS);
    expect(await page.locator('#rooms-list .room-name').allTextContents()).toEqual([`#${c}`]);

    // Logging out forgets the rooms in this browser (a private room's name is its key).
    await page.locator('#logout').click();
    await page.locator('#login-view').waitFor(SHOWS);
    expect(await page.evaluate(() => localStorage.getItem('chat.rooms'))).toBeNull();
  }, 90_000);

  it('keeps one list in two tabs of one browser: a room joined in one shows in the other, and a leave there loses neither', async () => {
    const [a, b, c] = [uniqueRoom('tabs-a'), uniqueRoom('tabs-b'), uniqueRoom('tabs-c')];
    const robin = await robinIn([a, b]);
    const first = robin.page;
    const second = await robin.context.newPage();
    await checkedOften(second);
    await second.goto(`${server.url}/#${b}`);
    await second.locator('#chat-view').waitFor({ state: 'visible', ...SHOWS });
    await item(second, a).waitFor({ state: 'attached', ...SHOWS });

    // Joined in the second tab: the first lists it too, without a reload.
    await openEmptyRoom(second, c);
    await item(first, c).waitFor({ state: 'attached', ...SHOWS });
    expect(await first.locator('#rooms-list .room-name').allTextContents()).toEqual([`#${a}`, `#${b}`, `#${c}`]);
    // Each tab still highlights its own room.
    await expect(item(first, a).locator('.room-link').getAttribute('aria-current')).resolves.toBe('page');
    await expect(item(second, c).locator('.room-link').getAttribute('aria-current')).resolves.toBe('page');

    // Left in the first tab: gone from the second, and c, joined in the second, is still stored.
    await item(first, b).locator('.room-leave').click();
    await item(second, b).waitFor({ state: 'detached', ...SHOWS });
    const stored = await first.evaluate(() =>
      (JSON.parse(localStorage.getItem('chat.rooms') ?? '[]') as { name: string }[]).map((r) => r.name),
    );
    expect(stored).toEqual([a, c]);
    expect(await second.locator('#rooms-list .room-name').allTextContents()).toEqual([`#${a}`, `#${c}`]);
    await second.close();
  }, 90_000);

  it('opens as a drawer on a phone, with your name in the header', async () => {
    const [a, b] = [uniqueRoom('phone-a'), uniqueRoom('phone-b')];
    const robin = await robinIn([a, b], { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    const { page } = robin;
    const ana = await anaIn(a);
    await expect(page.locator('#whoami-name').isVisible()).resolves.toBe(true);
    await expect(page.locator('#whoami-name').textContent()).resolves.toBe('Robin');
    await expect(page.locator('#rooms-panel').isVisible()).resolves.toBe(false);

    await ana.post(b, 'psst @Robin');
    await page.locator('#rooms-toggle-count', { hasText: '1' }).waitFor(SHOWS);
    await expect(page.locator('#rooms-toggle').getAttribute('aria-label')).resolves.toBe('Your rooms, 1 unread');
    await page.locator('#rooms-toggle').click();
    await page.locator('#rooms-panel').waitFor({ state: 'visible', ...SHOWS });
    await expect(page.locator('#rooms-toggle').getAttribute('aria-expanded')).resolves.toBe('true');
    // The page behind the drawer is out of reach; the keyboard is in the drawer.
    await expect(page.locator('.room').evaluate((e) => (e as HTMLElement).inert)).resolves.toBe(true);
    await expect(focusedRoom(page)).resolves.toBe(a);
    await page.keyboard.press('Escape');
    await page.locator('#rooms-panel').waitFor({ state: 'hidden', ...SHOWS });
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('rooms-toggle');

    await page.locator('#rooms-toggle').click();
    await item(page, b).locator('.room-link').click();
    await page.locator('#room-title', { hasText: `#${b}` }).waitFor(SHOWS);
    await page.locator('#rooms-panel').waitFor({ state: 'hidden', ...SHOWS });
    await page.locator('#rooms-toggle-count').waitFor({ state: 'hidden', ...SHOWS });
    await expect(page.locator('.room').evaluate((e) => (e as HTMLElement).inert)).resolves.toBe(false);
  }, 90_000);
});

describe('desktop notifications', () => {
  async function robinNotified(rooms: string[]): Promise<Person> {
    const robin = await robinIn(rooms, {}, notificationsRecorded);
    await robin.context.grantPermissions(['notifications']);
    await robin.page.locator('#notify-toggle').check();
    await robin.page.waitForFunction(() => localStorage.getItem('chat.notify') === '1', undefined, SHOWS);
    return robin;
  }

  it('shows mentions only, only while the tab is hidden, silently', async () => {
    const [a, b] = [uniqueRoom('note-a'), uniqueRoom('note-b')];
    const robin = await robinNotified([a, b]);
    const { page } = robin;
    const ana = await anaIn(a);

    // Visible: a mention in the open room and one in the background bring no notification.
    await ana.post(a, '@Robin while you look');
    await page.locator('#messages .msg .text', { hasText: 'while you look' }).waitFor(SHOWS);
    await ana.post(b, '@Robin over here, visible');
    await countShows(page, b, '1');

    await setTabHidden(page, true);
    // Hidden: a plain message is counted but not notified; mentions are, in either room.
    await ana.post(b, 'plain words');
    await countShows(page, b, '2');
    await ana.post(b, 'hey @robin');
    await countShows(page, b, '3');
    await ana.post(a, 'and @Robin here');
    // The open room's hold in flight brings it; a hidden tab's next poll would be up to 30 s later.
    await page.locator('#messages .msg .text', { hasText: 'and @Robin here' }).waitFor({ timeout: 45_000 });
    await page.waitForFunction(
      () => (window as unknown as { __notifications: unknown[] }).__notifications.length >= 2,
      undefined,
      SHOWS,
    );
    expect(await notifications(page)).toEqual([
      { title: `Ana mentioned you in #${b}`, body: 'hey @robin', silent: true },
      { title: `Ana mentioned you in #${a}`, body: 'and @Robin here', silent: true },
    ]);
    expect(await page.title()).toBe(`(4) #${a} · Chat`);
  }, 90_000);

  it('shows every message of a room marked "notify all", and only of that room', async () => {
    const [a, b, c] = [uniqueRoom('all-a'), uniqueRoom('all-b'), uniqueRoom('all-c')];
    const robin = await robinNotified([a, b, c]);
    const { page } = robin;
    const ana = await anaIn(a);
    const bell = item(page, b).locator('.room-notify');
    await bell.click();
    await expect(bell.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(item(page, c).locator('.room-notify').getAttribute('aria-pressed')).resolves.toBe('false');

    await setTabHidden(page, true);
    await ana.post(c, 'nothing for you here');
    await countShows(page, c, '1');
    await ana.post(b, 'news for everyone');
    await countShows(page, b, '1');
    await page.waitForFunction(
      () => (window as unknown as { __notifications: unknown[] }).__notifications.length >= 1,
      undefined,
      SHOWS,
    );
    expect(await notifications(page)).toEqual([{ title: `Ana in #${b}`, body: 'news for everyone', silent: true }]);
  }, 90_000);
});
