/**
 * Sending from the message box in real Chromium: the box takes the text of a message the moment
 * it is sent, so what is typed next is never lost while a send is on its way; sends go out in
 * the order they were written.
 *
 * Slow sends are held in the test (route interception) until the test lets them go, so the
 * races are the same however fast the machine is.
 */
import type { Browser, Page } from 'playwright-core';
import { call, uniqueRoom, type App } from '#test/support/app';
import { eventually, personIn, sessionOf, shownTexts, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

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
