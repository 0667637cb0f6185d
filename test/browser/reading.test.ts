/**
 * How a room reads in real Chromium: web links in messages, one name over a run of messages
 * from the same person, and a line for each day.
 */
import type { Browser } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import { personIn, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

async function reader(room: string, name = 'Reader', locale = 'en-US'): Promise<Person> {
  const person = await personIn(browser, `${server.url}/#${room}`, name, { locale });
  people.push(person);
  return person;
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
