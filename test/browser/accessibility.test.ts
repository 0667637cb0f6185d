/**
 * The page against WCAG 2.2 AA, as axe-core checks it in real Chromium: the login, a room with
 * messages from many people and one's own, the invite panel, and the error states (a bad name,
 * a bad room, a message not sent, no connection), with the lines between days and a long
 * message collapsed, the rooms sidebar with unread counts, a mention and the "new messages"
 * line, and the rooms drawer on a phone, in the light and the dark colour scheme and in both
 * languages. Besides the WCAG rules, the landmark rules: everything on the page is in
 * a landmark, and there is one main.
 */
import type { AxeResults, RunOptions } from 'axe-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { call, login, uniqueRoom, type App } from '#test/support/app';
import { hueOf } from '#web/message-view';
import { seedMessages } from './seed';
import { logIn, say, sessionOf, visit, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const AXE_PATH = require.resolve('axe-core/axe.min.js');
/** Where the page fetches axe from: its own origin, so the page's script-src 'self' lets it run unchanged. */
const AXE_URL = '/__test__/axe.min.js';

const RUN: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  // Best-practice rules about landmarks, on top of WCAG: no content outside a landmark, one main.
  rules: {
    region: { enabled: true },
    'landmark-one-main': { enabled: true },
    'landmark-no-duplicate-main': { enabled: true },
    'landmark-unique': { enabled: true },
  },
  resultTypes: ['violations'],
};

interface Violation {
  readonly rule: string;
  readonly nodes: { readonly target: string; readonly summary: string }[];
}

/** The violations axe finds on the page as it is now, each with the elements and why. */
async function violations(page: Page): Promise<Violation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ url: AXE_URL });
  const results = await page.evaluate(
    (options) => (window as unknown as { axe: { run(o: unknown): Promise<AxeResults> } }).axe.run(options),
    RUN as unknown as Record<string, unknown>,
  );
  return results.violations.map((v) => ({
    rule: `${v.id}: ${v.help}`,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
  }));
}

/** Some uids, one for each of the name colours. */
function uidsOfEveryHue(): string[] {
  const byHue = new Map<number, string>();
  for (let i = 0; byHue.size < 12; i++) {
    const uid = `u_a11e${i.toString(16).padStart(12, '0')}`;
    if (!byHue.has(hueOf(uid))) byHue.set(hueOf(uid), uid);
  }
  return [...byHue.values()];
}

type Scheme = 'light' | 'dark';

/** Background rooms are checked every CHECK_MS here, not every 30 s (the page reads this hook). */
const CHECK_MS = 300;

async function open(scheme: Scheme, locale = 'en-US', options: BrowserContextOptions = {}): Promise<Page> {
  const person = await visit(browser, server.url, { locale, ...options }, async (page) => {
    await page.addInitScript((ms) => {
      (window as unknown as { chatTestHooks: unknown }).chatTestHooks = { roomCheckMs: ms };
    }, CHECK_MS);
  });
  people.push(person);
  const { page } = person;
  await page.route(
    (url) => url.pathname === AXE_URL,
    (route) => route.fulfill({ path: AXE_PATH, contentType: 'text/javascript' }),
  );
  await page.emulateMedia({ colorScheme: scheme });
  await page.locator('#login-view').waitFor();
  return page;
}

/**
 * A room with messages (and links in them) from people of every name colour and from the
 * reader, typed and seeded, over two days (so with the lines of both), and a long message
 * collapsed under "Show more".
 */
async function busyRoom(page: Page): Promise<string> {
  const room = uniqueRoom('a11y');
  const me = await sessionOf(page);
  const others = uidsOfEveryHue();
  await seedMessages(room, [
    { user: 'Person 0', uid: others[0]!, text: 'From yesterday', ts: new Date(Date.now() - 86_400_000) },
    {
      user: 'Person 1',
      uid: others[1]!,
      text: Array.from({ length: 20 }, (_, i) => `A long message, line ${i + 1}`).join('\n'),
      ts: new Date(),
    },
  ]);
  await page.evaluate((r) => (location.hash = r), room);
  await page.locator(`#messages .msg.hue-${hueOf(others[1]!)} button.more`).waitFor();
  expect(await page.locator('#messages .day').count()).toBe(2);
  for (const [i, uid] of others.entries()) {
    await app.messageLog.appendMessage({
      room,
      user: `Person ${i}`,
      uid,
      text: `Message ${i} from someone else 🙂 https://example.com/${i}`,
    });
  }
  await app.messageLog.appendMessage({
    room,
    user: me.name,
    uid: me.uid,
    text: 'Mine, from before: https://example.com/?a=1&b=2',
  });
  await say(page, 'Mine, typed just now');
  await page.locator('#messages .msg.mine', { hasText: 'typed just now' }).waitFor();
  await page
    .locator('#messages .msg')
    .nth(others.length + 3)
    .waitFor();
  return room;
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`in the ${scheme} colour scheme`, () => {
    it('has no WCAG 2.2 AA violation on the login, nor when the name is refused', async () => {
      const page = await open(scheme);
      expect(await violations(page)).toEqual([]);

      await page.locator('#login-button').click();
      await page.locator('#login-error').filter({ hasText: /./ }).waitFor();
      expect(await violations(page)).toEqual([]);
    }, 60_000);

    it('has no WCAG 2.2 AA violation in a room with messages from others and own, with the invite panel open', async () => {
      const page = await open(scheme);
      await logIn(page, 'Robin');
      await busyRoom(page);
      expect(await violations(page)).toEqual([]);

      await page.locator('#invite-toggle').click();
      await page.locator('#invite-panel').waitFor();
      await page.locator('#invite-copy').click();
      await page.locator('#invite-status').filter({ hasText: /./ }).waitFor();
      expect(await violations(page)).toEqual([]);

      // Scrolled up while a message comes: the "new messages" button.
      // The scroll is handled before the message can come (the browser would fire it at its next frame).
      await page.locator('#message-pane').evaluate((pane) => {
        pane.scrollTop = 0;
        pane.dispatchEvent(new Event('scroll'));
      });
      const room = new URL(page.url()).hash.slice(1);
      await app.messageLog.appendMessage({ room, user: 'Late', uid: 'u_1a7e000000000000', text: 'Coming late' });
      await page.locator('#new-messages').waitFor();
      expect(await violations(page)).toEqual([]);
    }, 60_000);

    it('has no WCAG 2.2 AA violation with the message actions: the toolbar, reactions, an edited and a deleted message, the edit box, the delete dialog', async () => {
      const page = await open(scheme);
      await logIn(page, 'Robin');
      const room = await busyRoom(page);
      const other = await login(app, 'Reactor');
      // Reactions on one's own messages (pressed and not) and on someone else's.
      const id = await page.locator('#messages > li.msg.mine').last().getAttribute('data-id');
      const own = page.locator(`#messages > li.msg[data-id="${id}"]`);
      const party = encodeURIComponent('🎉');
      await call(app, 'PUT', `/api/rooms/${room}/messages/${id}/reactions/${party}`, { token: other.token });
      await own.locator('.chip').waitFor();
      await own.hover();
      await own.getByRole('button', { name: 'React with ❤️' }).click();
      await own.locator('.chip[aria-pressed="true"]').waitFor();
      const theirs = page.locator('#messages > li.msg:not(.mine)').first();
      await theirs.hover();
      await theirs.getByRole('button', { name: 'React with 😂' }).click();
      await theirs.locator('.chip').waitFor();
      // An edited message and a deleted one.
      const earlier = page.locator('#messages > li.msg.mine').first();
      const edit = await call(app, 'PATCH', `/api/rooms/${room}/messages/${await earlier.getAttribute('data-id')}`, {
        token: (await sessionOf(page)).token,
        body: { text: 'Mine, from before, edited' },
      });
      expect(edit.status).toBe(200);
      await earlier.locator('.edited').waitFor();
      await say(page, 'To be deleted');
      const doomed = page.locator('#messages > li.msg.mine', { hasText: 'To be deleted' });
      await doomed.hover();
      await doomed.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.locator('#messages > li.msg.deleted').waitFor();

      // The toolbar on one's own message, by keyboard.
      await own.focus();
      await own.locator('[role="toolbar"]').waitFor();
      expect(await violations(page)).toEqual([]);

      // The edit box, with a problem shown.
      await own.getByRole('button', { name: 'Edit' }).click();
      const box = own.getByRole('textbox', { name: 'Edit message' });
      await box.fill('   ');
      await box.press('Enter');
      await own.locator('.edit-problem').filter({ hasText: /./ }).waitFor();
      expect(await violations(page)).toEqual([]);
      await box.press('Escape');

      // The delete dialog.
      await own.hover();
      await own.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').waitFor();
      expect(await violations(page)).toEqual([]);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    }, 60_000);

    it('has no WCAG 2.2 AA violation while a message is on its way, nor in the error states: a bad room, a message not sent, a long text, no connection', async () => {
      const page = await open(scheme);
      await logIn(page, 'Robin');
      await busyRoom(page);

      await page.locator('#room-name').fill('not a room name');
      await page.locator('#room-name').press('Enter');
      await page.locator('#room-error').filter({ hasText: /./ }).waitFor();
      // A send held on its way, then lost.
      let lose!: () => void;
      const lost = new Promise<void>((resolve) => (lose = resolve));
      await page.route(
        (url) => url.pathname.endsWith('/messages'),
        async (route) => {
          if (route.request().method() !== 'POST') return route.continue();
          await lost;
          return route.abort('connectionreset');
        },
      );
      await say(page, 'This one did not go through');
      await page.locator('#pending .msg.sending').waitFor();
      expect(await violations(page)).toEqual([]);
      lose();
      await page.locator('#pending .msg.failed').waitFor();
      await page.locator('#composer-text').fill('x'.repeat(1900));
      await page.locator('#composer-count[data-level="near"]').waitFor();
      expect(await violations(page)).toEqual([]);

      await page.locator('#composer-text').fill('x'.repeat(2001));
      await page.locator('#composer-count[data-level="over"]').waitFor();
      await page.context().setOffline(true);
      await page.locator('#connection[data-state="offline"]').waitFor();
      expect(await violations(page)).toEqual([]);
      await page.context().setOffline(false);
    }, 60_000);
  });
}

/**
 * The reader back in a busy room after another: the sidebar has a room with unread messages
 * and a mention, one set to "notify all", and the room shows the "new messages" line and a
 * message that mentions the reader.
 */
async function roomsWithNews(page: Page): Promise<void> {
  const busy = await busyRoom(page);
  const other = uniqueRoom('a11y-other');
  const quiet = uniqueRoom('a11y-quiet');
  for (const room of [other, quiet]) {
    await page.evaluate((r) => (location.hash = r), room);
    await page.locator('#room-title', { hasText: `#${room}` }).waitFor();
    // Read once before it is left, so the page knows where it stood.
    await page.locator('#empty-room').waitFor();
  }
  // (In the drawer on a phone, closed now.)
  await page
    .locator(`#rooms-list .room-item[data-room="${quiet}"] .room-notify`)
    .evaluate((b) => (b as HTMLElement).click());
  const me = await sessionOf(page);
  for (const text of ['While you were away', `@${me.name} have a look`]) {
    await app.messageLog.appendMessage({ room: busy, user: 'Ana', uid: 'u_a11ea0a0a0a0a0a0', text });
    await app.messageLog.appendMessage({ room: other, user: 'Ana', uid: 'u_a11ea0a0a0a0a0a0', text });
  }
  await page
    .locator(`#rooms-list .room-item[data-room="${other}"] .room-mention:not([hidden])`)
    .waitFor({ state: 'attached', timeout: 20_000 });
  await page.evaluate((r) => (location.hash = r), busy);
  await page.locator('#messages .unread-line').waitFor({ timeout: 20_000 });
  await page.locator('#messages .msg.mentions-me').waitFor();
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`the rooms, in the ${scheme} colour scheme`, () => {
    it('has no WCAG 2.2 AA violation with the sidebar showing unread counts, a mention and the "new messages" line', async () => {
      const page = await open(scheme);
      await logIn(page, 'Robin');
      await roomsWithNews(page);
      expect(await violations(page)).toEqual([]);
      // Notifications refused by the browser: the setting says so.
      await page.context().clearPermissions();
      await page.evaluate(() => Object.defineProperty(Notification, 'permission', { get: () => 'denied' }));
      await page.locator('#notify-toggle').click();
      await page.locator('#notify-status').filter({ hasText: /./ }).waitFor();
      expect(await violations(page)).toEqual([]);
    }, 90_000);

    it('has no WCAG 2.2 AA violation on a phone, with the rooms drawer closed and open', async () => {
      const page = await open(scheme, 'en-US', {
        viewport: { width: 390, height: 780 },
        isMobile: true,
        hasTouch: true,
      });
      await logIn(page, 'Robin');
      await roomsWithNews(page);
      expect(await violations(page)).toEqual([]);
      await page.locator('#rooms-toggle').click();
      await page.locator('#rooms-panel').waitFor({ state: 'visible' });
      expect(await violations(page)).toEqual([]);
    }, 90_000);
  });
}

it('has no WCAG 2.2 AA violation in Chinese, on the login and in a room', async () => {
  const page = await open('light', 'zh-CN');
  await expect(page.locator('#login-view .lang-switch').textContent()).resolves.toBe('English');
  expect(await violations(page)).toEqual([]);
  await logIn(page, '小红');
  await busyRoom(page);
  expect(await violations(page)).toEqual([]);
}, 60_000);
