/**
 * The room's live state in real Chromium, as `npm start` runs (the sole writer: presence in
 * memory, held polls woken at once): two people see each other, typing shows in the other
 * page and clears after sending, the setting keeps one's typing private, and closing a page
 * removes its person from the other's list (through `gone`, sent as the tab closes).
 *
 * Bounds are checks that it comes at all, not speed limits: each is far below the 25 s a poll
 * is held and the 30 s between presence beats, so passing shows the change came through a
 * held poll that it woke, not through a later refresh. The measured times are printed.
 */
import type { Browser } from 'playwright-core';
import { uniqueRoom } from '#test/support/app';
import { type PageFixture, type Person, personIn, say, usePage } from './support';

let browser: Browser;
let server: PageFixture['server'];
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0', CHAT_SOLE_WRITER: '1' }, people, (f) => ({ browser, server } = f));

const HERE = 10_000;
const names = (person: Person) => person.page.locator('#people-list .person .user').allTextContents();

async function twoIn(room: string): Promise<[Person, Person]> {
  const ana = await personIn(browser, `${server.url}/#${room}`, 'Ana');
  people.push(ana);
  const bo = await personIn(browser, `${server.url}/#${room}`, '小明');
  people.push(bo);
  return [ana, bo];
}

describe('who is here, who is typing', () => {
  it('shows each person to the other, you first, with the count in the header', async () => {
    const room = uniqueRoom('here');
    const ana = await personIn(browser, `${server.url}/#${room}`, 'Ana');
    people.push(ana);
    const bo = await personIn(browser, `${server.url}/#${room}`, '小明');
    people.push(bo);
    const entered = Date.now();
    await ana.page.locator('#people-list .person', { hasText: '小明' }).waitFor({ timeout: HERE });
    console.info(`presence: the second person shown to the first ${Date.now() - entered} ms after entering`);
    await bo.page.locator('#people-list .person', { hasText: 'Ana' }).waitFor({ timeout: HERE });
    expect(await names(ana)).toEqual(['Ana', '小明']);
    expect(await names(bo)).toEqual(['小明', 'Ana']);
    await expect(ana.page.locator('#people-count').textContent()).resolves.toBe('2');
    expect(await ana.page.locator('#people-list .person.mine .tag').textContent()).toBe('you');
  });

  it('counts someone who went through several rooms in a moment, past the presence limit, in the room they stayed in', async () => {
    const rooms = [uniqueRoom('hop'), uniqueRoom('hop'), uniqueRoom('hop'), uniqueRoom('stay')];
    const ana = await personIn(browser, `${server.url}/#${rooms[0]}`, 'Ana');
    people.push(ana);
    // Each room entered says "here" and each one left says "gone": seven calls within a second
    // or two, past the burst of 5, so the last room's "here" is refused at first.
    for (const room of rooms.slice(1)) {
      await ana.page.evaluate((r) => (location.hash = r), room);
      await ana.page.locator('#room-title', { hasText: `#${room}` }).waitFor();
    }
    // Said again after Retry-After, not only at the next beat 30 s later.
    await ana.page.locator('#people-count', { hasText: '1' }).waitFor({ timeout: 15_000 });
  });

  it('shows typing in the other page, and clears it when the message is sent', async () => {
    const [ana, bo] = await twoIn(uniqueRoom('typing'));
    await ana.page.locator('#people-list .person', { hasText: '小明' }).waitFor({ timeout: HERE });
    const started = Date.now();
    await bo.page.locator('#composer-text').pressSequentially('你好', { delay: 30 });
    await ana.page.locator('#typing-line', { hasText: '小明 is typing…' }).waitFor({ timeout: HERE });
    console.info(`presence: typing shown in the other page ${Date.now() - started} ms after the first key`);
    expect(await ana.page.locator('#people-list .person', { hasText: '小明' }).locator('.typing-mark').count()).toBe(1);
    await bo.page.locator('#composer-text').press('Enter');
    await ana.page.locator('#messages .msg .text', { hasText: '你好' }).waitFor({ timeout: HERE });
    await ana.page.locator('#typing-line:empty').waitFor({ timeout: HERE });
    expect(await bo.page.locator('#typing-line').textContent()).toBe('');
  });

  it('clears typing when the text is cleared, and shares none when the setting is off', async () => {
    const [ana, bo] = await twoIn(uniqueRoom('private'));
    await bo.page.locator('#composer-text').pressSequentially('abc', { delay: 30 });
    await ana.page.locator('#typing-line', { hasText: 'is typing' }).waitFor({ timeout: HERE });
    await bo.page.locator('#composer-text').fill('');
    await ana.page.locator('#typing-line:empty').waitFor({ timeout: HERE });

    // Off: remembered by this browser, and nothing said of typing any more.
    await bo.page.locator('#share-typing').uncheck();
    await bo.page.reload();
    await bo.page.locator('#chat-view').waitFor({ state: 'visible' });
    expect(await bo.page.locator('#share-typing').isChecked()).toBe(false);
    const typingCalls: string[] = [];
    bo.page.on('request', (r) => {
      if (r.url().endsWith('/presence') && /typing/.test(r.postData() ?? '')) typingCalls.push(r.postData()!);
    });
    await bo.page.locator('#composer-text').pressSequentially('secret', { delay: 30 });
    await say(bo.page, 'secret sent');
    await ana.page.locator('#messages .msg .text', { hasText: 'secret sent' }).waitFor({ timeout: HERE });
    expect(typingCalls).toEqual([]);
    expect(await ana.page.locator('#typing-line').textContent()).toBe('');
  });

  it('removes a person from the other page when their tab closes', async () => {
    const [ana, bo] = await twoIn(uniqueRoom('gone'));
    await ana.page.locator('#people-list .person', { hasText: '小明' }).waitFor({ timeout: HERE });
    const started = Date.now();
    await bo.page.close();
    await ana.page.locator('#people-list .person', { hasText: '小明' }).waitFor({ state: 'detached', timeout: HERE });
    console.info(`presence: a closed tab gone from the other page after ${Date.now() - started} ms`);
    expect(await ana.page.locator('#people-count').textContent()).toBe('1');
  });
});
