/**
 * Sending from the message box in real Chromium: the box takes the text of a message the moment
 * it is sent, so what is typed next is never lost while a send is on its way; sends go out in
 * the order they were written; a message that could not go out for want of a connection goes
 * out by itself, with its clientId (so it is stored once), when the connection is back.
 *
 * Slow sends are held in the test (route interception) until the test lets them go, so the
 * races are the same however fast the machine is.
 */
import type { Browser, Page } from 'playwright-core';
import { call, uniqueRoom, type App } from '#test/support/app';
import {
  eventually,
  personIn,
  say,
  serve,
  sessionOf,
  shownTexts,
  type Person,
  type RunningServer,
  usePage,
} from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
let webRoot: string;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server, webRoot } = f));

async function person(url: string, name: string): Promise<Person> {
  const p = await personIn(browser, url, name);
  people.push(p);
  return p;
}

/** The messages stored in `room`, as the API answers anyone who asks. */
async function stored(page: Page, room: string): Promise<{ text: string; clientId?: string }[]> {
  const { token } = await sessionOf(page);
  const answer = await call(app, 'GET', `/api/rooms/${room}/messages?after=0`, { token });
  expect(answer.status).toBe(200);
  return answer.json.messages;
}

/** Generous: the page backs off between failed polls (up to 30 s) before it finds the server again. */
const RECONNECT_MS = 45_000;

describe('the message box', () => {
  it('keeps what is typed right after Enter while the message is on its way, and sends it next, in order', async () => {
    const room = uniqueRoom('typing');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    // The first send is held on its way until the test lets it go.
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let posts = 0;
    await ana.page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() === 'POST' && ++posts === 1) await held;
        return route.continue();
      },
    );
    const box = ana.page.locator('#composer-text');

    await box.pressSequentially('msg', { delay: 20 });
    await box.press('Enter');
    await box.pressSequentially('next', { delay: 20 });
    await ana.page.locator('#pending .msg.sending', { hasText: 'msg' }).waitFor();
    await expect(box.inputValue()).resolves.toBe('next');

    // Sent while the first is still on its way, and more typed after it.
    await box.press('Enter');
    await box.pressSequentially(' and more', { delay: 20 });
    await expect(box.inputValue()).resolves.toBe(' and more');
    await expect(ana.page.locator('#pending .msg .text').allTextContents()).resolves.toEqual(['msg', 'next']);

    letGo();
    await eventually(
      () => shownTexts(ana.page),
      (texts) => expect(texts).toEqual(['msg', 'next']),
    );
    expect((await stored(ana.page, room)).map((m) => m.text)).toEqual(['msg', 'next']);
    await expect(box.inputValue()).resolves.toBe(' and more');
    expect(await ana.page.locator('#pending .msg').count()).toBe(0);
  }, 60_000);
});

describe('sending without a connection', () => {
  it('sends a message written offline once the network is back: stored once, with its clientId, and not left in the box', async () => {
    const room = uniqueRoom('offline');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    const box = ana.page.locator('#composer-text');

    await ana.page.context().setOffline(true);
    await ana.page.locator('#connection[data-state="offline"]').waitFor();
    await say(ana.page, 'written offline');
    const failed = ana.page.locator('#pending .msg.failed', { hasText: 'written offline' });
    await failed.waitFor();
    const clientId = await failed.getAttribute('data-client-id');
    await expect(failed.locator('button[data-action="retry"]').isVisible()).resolves.toBe(true);
    await expect(box.inputValue()).resolves.toBe('');

    await ana.page.context().setOffline(false);
    await ana.page.locator('#messages .msg .text', { hasText: 'written offline' }).waitFor({ timeout: RECONNECT_MS });
    const messages = await stored(ana.page, room);
    expect(messages.map((m) => [m.text, m.clientId])).toEqual([['written offline', clientId]]);
    expect(await shownTexts(ana.page)).toEqual(['written offline']);
    expect(await ana.page.locator('#pending .msg').count()).toBe(0);
    await expect(box.inputValue()).resolves.toBe('');
    await expect(ana.page.locator('#composer-status').textContent()).resolves.toBe('');
  }, 90_000);

  it('sends a message that failed while the server was unreachable once the polls get through again', async () => {
    const room = uniqueRoom('away');
    // A server of its own, so that stopping it disturbs no other test.
    const own = await serve(app, webRoot);
    let current: RunningServer | undefined = own;
    try {
      const ana = await person(`${own.url}/#${room}`, 'Ana');
      const box = ana.page.locator('#composer-text');
      await say(ana.page, 'before');
      await ana.page.locator('#messages .msg .text', { hasText: 'before' }).waitFor();

      await own.close();
      current = undefined;
      await ana.page.locator('#connection[data-state="reconnecting"]').waitFor({ timeout: 20_000 });
      await say(ana.page, 'while the server was away');
      const failed = ana.page.locator('#pending .msg.failed', { hasText: 'while the server was away' });
      await failed.waitFor();
      const clientId = await failed.getAttribute('data-client-id');
      await expect(box.inputValue()).resolves.toBe('');

      current = await serve(app, webRoot, own.port);
      await ana.page
        .locator('#messages .msg .text', { hasText: 'while the server was away' })
        .waitFor({ timeout: RECONNECT_MS });
      const messages = await stored(ana.page, room);
      expect(messages.map((m) => m.text)).toEqual(['before', 'while the server was away']);
      expect(messages[1]?.clientId).toBe(clientId);
      expect(await ana.page.locator('#pending .msg').count()).toBe(0);
      await expect(box.inputValue()).resolves.toBe('');
    } finally {
      await current?.close();
    }
  }, 90_000);
});
