/**
 * "Use this chat on another device" in real Chromium: the link made on one page logs a second
 * browser in as the same person (their earlier messages are theirs there too), the code leaves
 * the address at once, and a second use of the same link gets the login form with the reason.
 */
import type { Browser } from 'playwright-core';
import { uniqueRoom } from '#test/support/app';
import { type PageFixture, type Person, personIn, say, sessionOf, usePage, visit } from './support';

let browser: Browser;
let server: PageFixture['server'];
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' }, people, (f) => ({ browser, server } = f));

describe('another device', () => {
  it('logs a second browser in as the same person, once', async () => {
    const room = uniqueRoom('device');
    const laptop = await personIn(browser, `${server.url}/#${room}`, '小明');
    people.push(laptop);
    await say(laptop.page, 'from the laptop');
    await laptop.page.locator('#messages .msg .text', { hasText: 'from the laptop' }).waitFor();
    await laptop.page.locator('#device-toggle').click();
    const link = laptop.page.locator('#device-link');
    await laptop.page.waitForFunction(() =>
      /#link=/.test((document.getElementById('device-link') as HTMLInputElement).value),
    );
    const url = await link.inputValue();
    expect(url).toMatch(new RegExp(`^${server.url}/#link=[A-Za-z0-9_-]{22}$`));

    const phone = await visit(browser, url);
    people.push(phone);
    await phone.page.locator('#chat-view').waitFor({ state: 'visible' });
    expect(new URL(phone.page.url()).hash).toBe('');
    const [a, b] = [await sessionOf(laptop.page), await sessionOf(phone.page)];
    expect(b).toMatchObject({ uid: a.uid, name: '小明' });
    expect(b.token).not.toBe(a.token);
    // In the room, the laptop's message is "you" on the phone too.
    await phone.page.evaluate((r) => (location.hash = r), room);
    await phone.page.locator('#messages .msg.mine .text', { hasText: 'from the laptop' }).waitFor();

    const again = await visit(browser, url);
    people.push(again);
    await again.page.locator('#login-view').waitFor({ state: 'visible' });
    await expect(again.page.locator('#login-error').textContent()).resolves.toMatch(/used or has expired/);
  });
});
