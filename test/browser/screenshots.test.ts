/**
 * Screenshots of the login view and of a busy room, in English and Chinese, on a desktop and a
 * phone screen, of a room over two days (runs, the lines between days, a long message
 * collapsed), and of the rooms list with unread counts and a mention (desktop) and the rooms
 * drawer open (phone), in both languages and both colour schemes, saved in test-artifacts/
 * (not committed) for people to look at. Each also checks
 * that the screen shows what its name says: the language, every message, markup as text, the
 * failed message, no sideways scrolling on a phone, and the dark colours.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import { middayZone, type Row, seedMessages } from './seed';
import { artifactsDir, logIn, say, sessionOf, visit, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const SCREENS = {
  desktop: { viewport: { width: 1100, height: 760 } },
  phone: { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} as const;

const CONVERSATION: [string, string, string][] = [
  ['Ana', 'u_a000000000000001', 'Morning all! Who is around for the release today?'],
  ['小明', 'u_b000000000000002', '我在！刚把测试跑完，全部通过了 🎉'],
  [
    'Sam',
    'u_c000000000000003',
    'Here. The deploy checklist:\n1. tag the build\n2. run the smoke tests\n3. watch the dashboards',
  ],
  ['Sam', 'u_d000000000000004', 'Two of us are called Sam, so look at the little tag after the name 🙂'],
  [
    '美玲',
    'u_e000000000000005',
    '文档也更新好了，链接在 https://example.com/docs/release-notes/2026/11/very-long-path-that-wraps',
  ],
  ['Ana', 'u_a000000000000001', '<b>Markup</b> shows as typed, never as HTML.'],
];

async function busyRoom(page: Page, room: string, lang: 'en' | 'zh'): Promise<void> {
  const me = await sessionOf(page);
  for (const [user, uid, text] of CONVERSATION) await app.messageLog.appendMessage({ room, user, uid, text });
  await app.messageLog.appendMessage({
    room,
    user: me.name,
    uid: me.uid,
    text: lang === 'zh' ? '好的，我来盯着监控 👀' : 'Great, I will watch the dashboards 👀',
  });
  await app.messageLog.appendMessage({
    room,
    user: 'Ana',
    uid: 'u_a000000000000001',
    text: lang === 'zh' ? '谢谢！' : 'Thanks!',
  });
  await page
    .locator('#messages .msg')
    .nth(CONVERSATION.length + 1)
    .waitFor();
  // A message being typed near the limit, and one that could not be sent.
  await page.route(
    (url) => url.pathname.endsWith('/messages'),
    (route) => (route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue()),
  );
  await say(page, lang === 'zh' ? '这条没发出去' : 'This one did not go through');
  await page.locator('#pending .msg.failed').waitFor();
  await page.locator('#composer-text').fill('');
  await page.locator('#messages .msg').last().scrollIntoViewIfNeeded();

  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang === 'zh' ? 'zh-CN' : 'en');
  expect(await page.locator('#messages .msg').count()).toBe(CONVERSATION.length + 2);
  expect(await page.locator('#pending .msg.failed').count()).toBe(1);
  // Markup is shown as typed, never rendered.
  await expect(page.locator('#messages').getByText('<b>Markup</b> shows as typed').count()).resolves.toBe(1);
  expect(await page.locator('#messages b').count()).toBe(0);
  // Nothing sticks out sideways, on a phone either.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(
    true,
  );
}

/** The relative luminance of the page's background (0 black … 1 white). */
const backgroundLuminance = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const [r, g, b] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number);
    const lin = (c = 0) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  });

for (const lang of ['en', 'zh'] as const) {
  for (const screen of ['desktop', 'phone'] as const) {
    it(`shows the login view and a busy room (${lang}, ${screen})`, async () => {
      const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
      const person = await visit(browser, server.url, { locale, ...SCREENS[screen] });
      people.push(person);
      const { page } = person;
      await page.locator('#login-view').waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang === 'zh' ? 'zh-CN' : 'en');
      await page.screenshot({ path: join(artifactsDir(), `login-${lang}-${screen}.png`) });

      const room = uniqueRoom('busy');
      await page.evaluate((r) => (location.hash = r), room);
      await logIn(page, lang === 'zh' ? '小红' : 'Robin');
      await busyRoom(page, room, lang);
      if (screen === 'desktop') {
        // The invite panel open, and a message arriving while the reader is scrolled up.
        await page.locator('#invite-toggle').click();
        await page.locator('#invite-panel').waitFor();
        // The scroll is handled before the message can come (the browser would fire it at its
        // next frame, which on a loaded machine can come after the message).
        await page.locator('#message-pane').evaluate((pane) => {
          pane.scrollTop = 0;
          pane.dispatchEvent(new Event('scroll'));
        });
        await app.messageLog.appendMessage({ room, user: '小明', uid: 'u_b000000000000002', text: '👍' });
        await page.locator('#new-messages').waitFor();
        expect(await page.locator('#messages .msg').count()).toBe(CONVERSATION.length + 3);
      }
      await page.screenshot({ path: join(artifactsDir(), `room-${lang}-${screen}.png`) });
    }, 60_000);
  }
}

it('shows a busy room in the dark colour scheme (phone)', async () => {
  const person = await visit(browser, server.url, { locale: 'en-US', colorScheme: 'dark', ...SCREENS.phone });
  people.push(person);
  const room = uniqueRoom('dark');
  await person.page.evaluate((r) => (location.hash = r), room);
  await logIn(person.page, 'Robin');
  await busyRoom(person.page, room, 'en');
  expect(await backgroundLuminance(person.page)).toBeLessThan(0.05);
  await person.page.screenshot({ path: join(artifactsDir(), 'room-en-phone-dark.png') });
}, 60_000);

/** Yesterday evening and this morning, with runs from one person and a long message collapsed. */
async function roomOverDays(room: string, lang: 'en' | 'zh'): Promise<void> {
  const { at } = middayZone();
  const zh = lang === 'zh';
  const [ana, ming, sam] = [CONVERSATION[0]!, CONVERSATION[1]!, CONVERSATION[2]!];
  const said = (who: [string, string, string], text: string, ts: Date): Row => ({
    user: who[0],
    uid: who[1],
    text,
    ts,
  });
  await seedMessages(room, [
    said(ana, zh ? '今天的发布顺利吗？' : 'How did the release go?', at(-1, 18, 2)),
    said(ming, zh ? '很顺利，监控一切正常。' : 'Smoothly, the dashboards are all green.', at(-1, 18, 5)),
    said(ming, zh ? '我明天早上再看一眼。' : 'I will look again in the morning.', at(-1, 18, 6)),
    said(ming, zh ? '晚安 🌙' : 'Good night 🌙', at(-1, 18, 6)),
    said(sam, zh ? '早！夜里没有告警。' : 'Morning! No alerts overnight.', at(0, 8, 1)),
    said(
      sam,
      Array.from({ length: 14 }, (_, i) =>
        zh ? `第 ${i + 1} 项：检查完毕，没有问题` : `Item ${i + 1}: checked, nothing to report`,
      ).join('\n'),
      at(0, 8, 2),
    ),
    said(ana, zh ? '太好了，谢谢大家！' : 'Great, thanks everyone!', at(0, 8, 30)),
  ]);
}

for (const lang of ['en', 'zh'] as const) {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows a busy room over two days, with runs and the lines between days (${lang}, ${colorScheme})`, async () => {
      const person = await visit(browser, server.url, {
        locale: lang === 'zh' ? 'zh-CN' : 'en-US',
        colorScheme,
        timezoneId: middayZone().zone,
        ...SCREENS.desktop,
      });
      people.push(person);
      const { page } = person;
      const room = uniqueRoom('days');
      await roomOverDays(room, lang);
      await page.evaluate((r) => (location.hash = r), room);
      await logIn(page, lang === 'zh' ? '小红' : 'Robin');
      await page.locator('#messages .msg').nth(6).waitFor();

      await expect(page.locator('#messages .day').allTextContents()).resolves.toEqual(
        lang === 'zh' ? ['昨天', '今天'] : ['Yesterday', 'Today'],
      );
      expect(await page.locator('#messages .msg.cont').count()).toBe(3);
      expect(await page.locator('#messages button.more').count()).toBe(1);
      expect((await backgroundLuminance(page)) < 0.05).toBe(colorScheme === 'dark');
      await page.screenshot({ path: join(artifactsDir(), `room-days-${lang}-${colorScheme}.png`) });
    }, 60_000);
  }
}

/** Short room names (a screenshot shows them), unique to the test. */
const named = (name: string) => `${name}-${randomBytes(2).toString('hex')}`;

/**
 * Robin back in a busy room after joining three more: one with unread messages and a mention,
 * one with a single unread message, one set to notify of every message.
 */
async function roomsWithNews(
  page: Page,
  lang: 'en' | 'zh',
): Promise<Record<'open' | 'team' | 'random' | 'ops', string>> {
  const rooms = { open: named('release'), team: named('design'), random: named('random'), ops: named('ops') };
  const me = await sessionOf(page);
  for (const room of [rooms.team, rooms.random, rooms.ops, rooms.open]) {
    await page.evaluate((r) => (location.hash = r), room);
    await page.locator('#room-title', { hasText: `#${room}` }).waitFor();
    if (room !== rooms.open) await page.locator('#empty-room').waitFor();
  }
  for (const [user, uid, text] of CONVERSATION)
    await app.messageLog.appendMessage({ room: rooms.open, user, uid, text });
  await page
    .locator('#messages .msg')
    .nth(CONVERSATION.length - 1)
    .waitFor();
  await page
    .locator(`#rooms-list .room-item[data-room="${rooms.ops}"] .room-notify`)
    .evaluate((b) => (b as HTMLElement).click());
  const news: [string, string, string, string][] = [
    [rooms.team, 'Ana', 'u_a000000000000001', lang === 'zh' ? '新图标的稿子好了' : 'The new icons are ready'],
    [
      rooms.team,
      '美玲',
      'u_e000000000000005',
      lang === 'zh' ? `@${me.name} 你来看看？` : `@${me.name} can you have a look?`,
    ],
    [rooms.team, 'Ana', 'u_a000000000000001', lang === 'zh' ? '不急 🙂' : 'No rush 🙂'],
    [rooms.random, 'Sam', 'u_c000000000000003', lang === 'zh' ? '午饭吃什么？' : 'Lunch, anyone?'],
  ];
  for (const [room, user, uid, text] of news) await app.messageLog.appendMessage({ room, user, uid, text });
  await page
    .locator(`#rooms-list .room-item[data-room="${rooms.team}"] .room-unread`, { hasText: '3' })
    .waitFor({ state: 'attached', timeout: 20_000 });
  await page
    .locator(`#rooms-list .room-item[data-room="${rooms.random}"] .room-unread`, { hasText: '1' })
    .waitFor({ state: 'attached', timeout: 20_000 });
  expect(await page.title()).toMatch(/^\(4\) /);
  return rooms;
}

/** Background rooms are checked every 300 ms here, not every 30 s (the page reads this hook). */
const checkedOften = async (page: Page) => {
  await page.addInitScript(() => {
    (window as unknown as { chatTestHooks: unknown }).chatTestHooks = { roomCheckMs: 300 };
  });
};

for (const lang of ['en', 'zh'] as const) {
  for (const scheme of ['light', 'dark'] as const) {
    it(`shows the rooms list with unread counts, and the rooms drawer on a phone (${lang}, ${scheme})`, async () => {
      const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
      const name = lang === 'zh' ? '小红' : 'Robin';
      for (const screen of ['desktop', 'phone'] as const) {
        const person = await visit(
          browser,
          server.url,
          { locale, colorScheme: scheme, ...SCREENS[screen] },
          checkedOften,
        );
        people.push(person);
        const { page } = person;
        await logIn(page, name);
        const rooms = await roomsWithNews(page, lang);
        if (screen === 'phone') {
          await page.locator('#rooms-toggle').click();
          await page.locator('#rooms-panel').waitFor({ state: 'visible' });
        }
        await expect(page.locator('#rooms-list .room-item.current .room-name').textContent()).resolves.toBe(
          `#${rooms.open}`,
        );
        await expect(page.locator('#rooms-list .room-item.mentioned').count()).resolves.toBe(1);
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
        ).toBe(true);
        if (scheme === 'dark') expect(await backgroundLuminance(page)).toBeLessThan(0.05);
        else expect(await backgroundLuminance(page)).toBeGreaterThan(0.5);
        const file =
          screen === 'phone' ? `rooms-drawer-${lang}-phone-${scheme}.png` : `rooms-${lang}-desktop-${scheme}.png`;
        await page.screenshot({ path: join(artifactsDir(), file) });
      }
    }, 90_000);
  }
}
