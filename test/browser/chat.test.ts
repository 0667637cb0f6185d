/**
 * The chat page in real Chromium against the real handlers and DynamoDB Local: people log in,
 * chat, keep their session, page back through history, and nothing they type can run as code.
 */
import type { Browser, Page } from 'playwright-core';
import { call, uniqueRoom, type App } from '#test/support/app';
import {
  eventually,
  logIn,
  personIn,
  say,
  sessionOf,
  shownTexts,
  visit,
  type Person,
  type RunningServer,
  usePage,
} from './support';

/** The server's poll hint for a quiet room (CHAT_POLL_QUIET_MS); "two poll periods" is twice this. */
const POLL_PERIOD_MS = 2000;
/** Added to timing expectations: the machine is shared and busy. */
const SLACK_MS = 4000;

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

async function person(url: string, name: string, locale = 'en-US'): Promise<Person> {
  const p = await personIn(browser, url, name, { locale });
  people.push(p);
  return p;
}

// A burst of 10 as in production, but a slow refill (one send per 20 s), so that a used-up
// allowance stays used up however slowly this machine runs the test. No other test here
// sends more than 10 messages as one person.
usePage({ CHAT_SEND_RATE: '0.05', CHAT_SEND_BURST: '10' }, people, (f) => ({ app, browser, server } = f));

/** Waits until `page` shows `text` as a confirmed message, and says how long that took. */
async function arrival(page: Page, text: string, timeout: number): Promise<number> {
  const start = Date.now();
  await page.locator('#messages .msg .text', { hasText: text }).first().waitFor({ timeout });
  return Date.now() - start;
}

/** Stores messages straight in the log, oldest first (id order = text order). */
async function seed(room: string, count: number, prefix = 'm'): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await app.messageLog.appendMessage({ room, user: 'seeder', uid: 'u_5eed000000000000', text: `${prefix} ${i}` });
  }
}

describe('chatting', () => {
  it('lets two people chat both ways, each seeing the other in order within two poll periods', async () => {
    const room = uniqueRoom('pair');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    const bo = await person(`${server.url}/#${room}`, '小波');

    const lines: [Person, Person, string][] = [
      [ana, bo, 'Hi Bo, are you there?'],
      [bo, ana, '在的！你好 Ana'],
      [ana, bo, 'Great, lunch at noon?'],
      [bo, ana, '好，12 点见'],
    ];
    const latencies: number[] = [];
    for (const [from, to, text] of lines) {
      await say(from.page, text);
      latencies.push(await arrival(to.page, text, 2 * POLL_PERIOD_MS + SLACK_MS));
    }
    console.info(`message seen by the other person after ${latencies.join(', ')} ms`);

    const texts = lines.map(([, , text]) => text);
    await eventually(
      () => shownTexts(ana.page),
      (t) => expect(t).toEqual(texts),
    );
    await eventually(
      () => shownTexts(bo.page),
      (t) => expect(t).toEqual(texts),
    );
    // Own messages look different from the other person's.
    await expect(ana.page.locator('#messages .msg.mine .text').allTextContents()).resolves.toEqual([
      texts[0],
      texts[2],
    ]);
    await expect(bo.page.locator('#messages .msg.mine .text').allTextContents()).resolves.toEqual([texts[1], texts[3]]);
  }, 60_000);

  it('keeps a private room to those who have its invite link', async () => {
    const ana = await person(server.url, 'Ana');
    await ana.page.locator('#new-private').click();
    await eventually(
      () => ana.page.evaluate(() => location.hash),
      (h) => expect(h).toMatch(/^#[A-Za-z0-9_-]{22}$/),
    );
    const link = await ana.page.locator('#invite-link').inputValue();
    const privateRoom = new URL(link).hash.slice(1);
    expect(await ana.page.locator('#invite-panel').isVisible()).toBe(true);
    expect(link).toBe(`${server.url}/#${privateRoom}`);
    await ana.page.locator('#invite-copy').click();
    // The copy is asynchronous (the clipboard's promise): its answer shows when it comes.
    await eventually(
      () => ana.page.locator('#invite-status').textContent(),
      (status) => expect(status).toBe('Copied'),
    );

    const bo = await person(link, 'Bo');
    const cy = await person(server.url, 'Cy');
    await say(ana.page, 'the secret plan');
    await arrival(bo.page, 'the secret plan', 2 * POLL_PERIOD_MS + SLACK_MS);
    await say(bo.page, 'my lips are sealed');
    await arrival(ana.page, 'my lips are sealed', 2 * POLL_PERIOD_MS + SLACK_MS);

    // Cy, in the lobby without the link, has polled past both messages and sees neither.
    await cy.page.waitForTimeout(2 * POLL_PERIOD_MS);
    const cyText = await cy.page.locator('#message-pane').textContent();
    expect(cyText).not.toContain('secret plan');
    expect(cyText).not.toContain('lips are sealed');
    expect(await cy.page.locator('#room-title').textContent()).toBe('#lobby');
  }, 60_000);

  it('tells apart two people who chose the same name', async () => {
    const room = uniqueRoom('twins');
    const one = await person(`${server.url}/#${room}`, 'Sam');
    const two = await person(`${server.url}/#${room}`, 'Sam');
    await say(one.page, 'I am the first Sam');
    await arrival(two.page, 'I am the first Sam', 2 * POLL_PERIOD_MS + SLACK_MS);
    await say(two.page, 'I am the second Sam');
    await arrival(two.page, 'I am the second Sam', SLACK_MS);
    const [first, second] = [await sessionOf(one.page), await sessionOf(two.page)];

    const tags = await two.page
      .locator('#messages .msg .tag')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.uid));
    expect(tags).toEqual([first.uid, second.uid]);
    // The other Sam carries a short tag of their uid; one's own messages say "you".
    await expect(two.page.locator('#messages .msg').first().locator('.tag').textContent()).resolves.toBe(
      `#${first.uid.slice(-4)}`,
    );
    await expect(two.page.locator('#messages .msg.mine .tag').textContent()).resolves.toBe('you');
  }, 60_000);

  it('shows a message at once as "sending" and confirms it in place, never twice', async () => {
    const room = uniqueRoom('sending');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    let letThrough!: () => void;
    const gate = new Promise<void>((resolve) => (letThrough = resolve));
    await ana.page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() === 'POST') await gate;
        return route.continue();
      },
    );
    await say(ana.page, 'on its way');
    const pending = ana.page.locator('#pending .msg.sending');
    await pending.waitFor();
    await expect(pending.locator('.status').textContent()).resolves.toBe('Sending…');
    // The text is in the message on its way, no longer in the box.
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    await pending.evaluate((e) => ((e as unknown as { marked: boolean }).marked = true));

    letThrough();
    await arrival(ana.page, 'on its way', 2 * POLL_PERIOD_MS + SLACK_MS);
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    const confirmed = ana.page.locator('#messages .msg', { hasText: 'on its way' });
    await expect(confirmed.evaluate((e) => (e as unknown as { marked?: boolean }).marked)).resolves.toBe(true);
    await ana.page.waitForTimeout(POLL_PERIOD_MS);
    expect(await ana.page.locator('#message-pane .msg', { hasText: 'on its way' }).count()).toBe(1);
  }, 60_000);

  it('shows markup and scripts as the literal text that was typed, runs none of it, and keeps polling', async () => {
    const room = uniqueRoom('xss');
    const ana = await person(`${server.url}/#${room}`, '<b>Ana</b>');
    const bo = await person(`${server.url}/#${room}`, 'Bo');
    const payloads = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '"><svg onload=alert(1)>'];
    for (const text of payloads) await say(ana.page, text);
    await arrival(bo.page, payloads[2]!, 2 * POLL_PERIOD_MS + SLACK_MS);

    expect(await shownTexts(bo.page)).toEqual(payloads);
    await expect(bo.page.locator('#messages .user').first().textContent()).resolves.toBe('<b>Ana</b>');
    expect(
      await bo.page.locator('#message-pane img, #message-pane script, #message-pane svg, #message-pane b').count(),
    ).toBe(0);

    // Line breaks are kept as typed (Shift+Enter adds one).
    await ana.page.locator('#composer-text').fill('line one');
    await ana.page.locator('#composer-text').press('Shift+Enter');
    await ana.page.locator('#composer-text').pressSequentially('line two');
    await ana.page.locator('#composer-text').press('Enter');
    await arrival(bo.page, 'line two', 2 * POLL_PERIOD_MS + SLACK_MS);
    const multiline = bo.page.locator('#messages .msg .text').last();
    await expect(multiline.textContent()).resolves.toBe('line one\nline two');
    await expect(multiline.evaluate((e) => getComputedStyle(e).whiteSpace)).resolves.toBe('pre-wrap');
    // afterEach checks that no dialog opened and no script error or CSP violation happened.
  }, 60_000);
});

describe('sessions and history', () => {
  it('keeps the session over a reload, shows recent history first, and pages back with "load older"', async () => {
    const room = uniqueRoom('history');
    await seed(room, 230);
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    const expectRange = async (from: number, to: number) =>
      eventually(
        () => shownTexts(ana.page),
        (t) => expect(t).toEqual(Array.from({ length: to - from + 1 }, (_, i) => `m ${from + i}`)),
      );
    await expectRange(181, 230);

    await ana.page.reload();
    await ana.page.locator('#chat-view').waitFor({ state: 'visible' });
    expect(await ana.page.locator('#login-view').isVisible()).toBe(false);
    await expect(ana.page.locator('#whoami-name').textContent()).resolves.toBe('Ana');
    await expectRange(181, 230);

    // Clicked where it is, without scrolling to it (scrolling to the top loads by itself, below).
    await ana.page.locator('#load-older').dispatchEvent('click');
    await expectRange(81, 230);
    // Scrolling to the top loads the next older page by itself, and what the reader was
    // looking at stays in place while the older messages go in above it.
    const topBefore = await ana.page.evaluate(() => {
      document.getElementById('message-pane')!.scrollTop = 0;
      return document.querySelector('#messages .msg')!.getBoundingClientRect().top;
    });
    await expectRange(1, 230);
    const topAfter = await ana.page
      .locator('#messages .msg', { hasText: /m 81$/ })
      .evaluate((e) => e.getBoundingClientRect().top);
    expect(Math.abs(topAfter - topBefore)).toBeLessThan(2);
    await expect(ana.page.locator('#room-start').isVisible()).resolves.toBe(true);
    await expect(ana.page.locator('#load-older').isVisible()).resolves.toBe(false);
  }, 60_000);

  it('stores a send once when it is retried after the network failed on the way back', async () => {
    const room = uniqueRoom('retry');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    // The first send of each text reaches the server, which stores it, but the answer is lost.
    // Poll answers can be held back, so that the stored copy does not confirm the message before
    // the retry: the answer, not the request, since a poll the server already holds would bring it.
    const lost = new Set<string>();
    let held: { promise: Promise<void>; release: () => void } | undefined;
    const holdPolls = () => {
      let release!: () => void;
      held = { promise: new Promise<void>((resolve) => (release = resolve)), release };
    };
    const releasePolls = () => held?.release();
    await ana.page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() !== 'POST') {
          const response = await route.fetch({ timeout: 60_000 }).catch(() => undefined);
          if (!response) return route.abort().catch(() => {});
          await held?.promise;
          return route.fulfill({ response }).catch(() => {});
        }
        const { text } = route.request().postDataJSON() as { text: string };
        if (lost.has(text)) return route.continue();
        lost.add(text);
        await route.fetch();
        return route.abort('connectionreset');
      },
    );

    // Typed again and sent with Enter: the same message, not a second one.
    holdPolls();
    await say(ana.page, 'said once, by Enter');
    await ana.page.locator('#pending .msg.failed').waitFor();
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    await expect(ana.page.locator('#composer-status').textContent()).resolves.toBe('No connection.');
    await say(ana.page, 'said once, by Enter');
    await ana.page.locator('#pending .msg.sent').waitFor();
    expect(await ana.page.locator('#pending .msg').count()).toBe(1);
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    releasePolls();
    await arrival(ana.page, 'said once, by Enter', 2 * POLL_PERIOD_MS + SLACK_MS);

    // Sent again with the message's own "retry":
    holdPolls();
    await say(ana.page, 'said once, by retry');
    await ana.page.locator('#pending .msg.failed button[data-action="retry"]').click();
    await ana.page.locator('#pending .msg.sent').waitFor();
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    releasePolls();
    await arrival(ana.page, 'said once, by retry', 2 * POLL_PERIOD_MS + SLACK_MS);

    const { token } = await sessionOf(ana.page);
    const stored = await call(app, 'GET', `/api/rooms/${room}/messages?after=0`, { token });
    expect(stored.json.messages.map((m: { text: string }) => m.text)).toEqual([
      'said once, by Enter',
      'said once, by retry',
    ]);
    expect(await shownTexts(ana.page)).toEqual(['said once, by Enter', 'said once, by retry']);
    expect(await ana.page.locator('#pending .msg').count()).toBe(0);
    expect(lost.size).toBe(2);
  }, 60_000);

  it('confirms a message whose answer was lost as soon as a poll brings the stored copy', async () => {
    const room = uniqueRoom('lost');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    await ana.page.route(
      (url) => url.pathname.endsWith('/messages'),
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        await route.fetch();
        return route.abort('connectionreset');
      },
    );
    await say(ana.page, 'the answer got lost');
    await arrival(ana.page, 'the answer got lost', 2 * POLL_PERIOD_MS + SLACK_MS);
    expect(await ana.page.locator('#pending .msg').count()).toBe(0);
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
    await expect(ana.page.locator('#composer-status').textContent()).resolves.toBe('');
  }, 60_000);

  it('says "slow down" when the server refuses sends that come too fast', async () => {
    const room = uniqueRoom('fast');
    const ana = await person(`${server.url}/#${room}`, 'Ana');
    const { token } = await sessionOf(ana.page);
    // The burst is used up by sends from elsewhere under the same session.
    for (let i = 0; i < 10; i++) {
      const res = await call(app, 'POST', `/api/rooms/${room}/messages`, { token, body: { text: `burst ${i}` } });
      expect(res.status).toBe(201);
    }
    await say(ana.page, 'one too many');
    await ana.page.locator('#pending .msg.failed').waitFor();
    await expect(ana.page.locator('#composer-status').textContent()).resolves.toMatch(
      /^Slow down: you can send again in \d+ s\.$/,
    );
    await expect(ana.page.locator('#pending .msg.failed .reason').textContent()).resolves.toMatch(
      /^Not sent\. Slow down/,
    );
    // The text waits in the failed message, with "retry", not in the box.
    await expect(ana.page.locator('#pending .msg.failed .text').textContent()).resolves.toBe('one too many');
    await expect(ana.page.locator('#pending .msg.failed button[data-action="retry"]').isVisible()).resolves.toBe(true);
    await expect(ana.page.locator('#composer-text').inputValue()).resolves.toBe('');
  }, 60_000);

  it('logs out, forgetting the session, and explains a bad name next to the field', async () => {
    const ana = await person(server.url, 'Ana');
    const { token } = await sessionOf(ana.page);
    const sessionStatus = async () =>
      (await fetch(`${server.url}/api/session`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await sessionStatus()).toBe(200);
    await ana.page.locator('#logout').click();
    await ana.page.locator('#login-view').waitFor();
    expect(await ana.page.evaluate(() => localStorage.getItem('chat.session'))).toBeNull();
    // The server revoked it: a copy of the token is refused too.
    await eventually(sessionStatus, (status) => expect(status).toBe(401));
    await ana.page.reload();
    await ana.page.locator('#login-view').waitFor();

    const login = ana.page.locator('#login-name');
    await login.fill('   ');
    await ana.page.locator('#login-button').click();
    await expect(ana.page.locator('#login-error').textContent()).resolves.toBe('Please type a name.');
    await expect(login.getAttribute('aria-invalid')).resolves.toBe('true');
    await login.fill('x'.repeat(33));
    await ana.page.locator('#login-button').click();
    await expect(ana.page.locator('#login-error').textContent()).resolves.toBe(
      'A name can have at most 32 characters.',
    );
    await logIn(ana.page, '😀'.repeat(32));
    await expect(ana.page.locator('#whoami-name').textContent()).resolves.toBe('😀'.repeat(32));

    // A session the server no longer accepts sends the reader back to the login, with the reason.
    await ana.page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('chat.session')!);
      localStorage.setItem('chat.session', JSON.stringify({ ...stored, token: `${stored.token}x` }));
    });
    await ana.page.reload();
    await ana.page.locator('#login-view').waitFor();
    await expect(ana.page.locator('#login-error').textContent()).resolves.toBe(
      'Your session has ended. Please log in again.',
    );
  }, 60_000);
});

describe('rooms, the message box and languages', () => {
  it('puts the room in the URL, so links open it and the back button returns', async () => {
    const room = uniqueRoom('url');
    const ana = await person(server.url, 'Ana');
    await expect(ana.page.locator('#room-title').textContent()).resolves.toBe('#lobby');
    await ana.page.locator('#room-name').fill(room);
    await ana.page.locator('#room-name').press('Enter');
    await eventually(
      () => ana.page.locator('#room-title').textContent(),
      (t) => expect(t).toBe(`#${room}`),
    );
    expect(new URL(ana.page.url()).hash).toBe(`#${room}`);
    expect(await ana.page.title()).toBe(`#${room} · Chat`);
    await say(ana.page, 'in the new room');
    await arrival(ana.page, 'in the new room', SLACK_MS);

    await ana.page.goBack();
    await eventually(
      () => ana.page.locator('#room-title').textContent(),
      (t) => expect(t).toBe('#lobby'),
    );
    expect(await shownTexts(ana.page)).not.toContain('in the new room');
    await ana.page.goForward();
    await arrival(ana.page, 'in the new room', 2 * POLL_PERIOD_MS + SLACK_MS);

    await ana.page.locator('#room-name').fill('no spaces allowed');
    await ana.page.locator('#room-name').press('Enter');
    await expect(ana.page.locator('#room-error').textContent()).resolves.toBe(
      'A room name has 1 to 64 letters, digits, _ or -.',
    );
    expect(new URL(ana.page.url()).hash).toBe(`#${room}`);
  }, 60_000);

  it('forgets a refused room name once another room opens: no error, no red outline', async () => {
    const first = uniqueRoom('refused');
    const ana = await person(`${server.url}/#${first}`, 'Ana');
    const field = ana.page.locator('#room-name');
    const outline = () => field.evaluate((e) => getComputedStyle(e).borderTopColor);
    const calm = await outline();
    const refuse = async () => {
      await field.fill('no spaces allowed');
      await field.press('Enter');
      await expect(ana.page.locator('#room-error').textContent()).resolves.not.toBe('');
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      expect(await outline()).not.toBe(calm);
    };
    const expectCalmIn = async (room: string) => {
      await eventually(
        () => ana.page.locator('#room-title').textContent(),
        (t) => expect(t).toBe(`#${room}`),
      );
      // The field is for joining a room, so it is left empty: the open room shows in the title and the list.
      await expect(field.inputValue()).resolves.toBe('');
      await expect(ana.page.locator('#room-error').isVisible()).resolves.toBe(false);
      await expect(field.getAttribute('aria-invalid')).resolves.not.toBe('true');
      expect(await outline()).toBe(calm);
    };

    // Another room opened with "new private room",
    await refuse();
    await ana.page.locator('#new-private').click();
    const hash = await eventually(
      () => ana.page.evaluate(() => location.hash.slice(1)),
      (h) => expect(h).not.toBe(first),
    );
    await expectCalmIn(hash);
    // and with the back button.
    await refuse();
    await ana.page.goBack();
    await expectCalmIn(first);
  }, 60_000);

  it('counts characters near the limit and refuses to send past it', async () => {
    const ana = await person(`${server.url}/#${uniqueRoom('long')}`, 'Ana');
    const count = ana.page.locator('#composer-count');
    await ana.page.locator('#composer-text').fill('a'.repeat(1000));
    await expect(count.textContent()).resolves.toBe('');
    await ana.page.locator('#composer-text').fill('字'.repeat(1850));
    await expect(count.textContent()).resolves.toBe('Characters left: 150');
    await ana.page.locator('#composer-text').fill('😀'.repeat(2001));
    await expect(count.textContent()).resolves.toBe('Over the limit by 1');
    await expect(ana.page.locator('#composer-send').isDisabled()).resolves.toBe(true);
    await ana.page.locator('#composer-text').press('Enter');
    expect(await ana.page.locator('#pending .msg').count()).toBe(0);
  }, 60_000);

  it('speaks the browser language (Chinese here), and switches every string to English and back', async () => {
    const wei = await visit(browser, server.url, { locale: 'zh-CN' });
    people.push(wei);
    const page = wei.page;
    await expect(page.locator('#login-heading').textContent()).resolves.toBe('加入聊天');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.locator('#login-button').click();
    await expect(page.locator('#login-error').textContent()).resolves.toBe('请输入名字。');
    await logIn(page, '小伟');
    await expect(page.locator('#connection-text').textContent()).resolves.toBe('已连接');
    const zhTexts = await page.locator('[data-i18n]').allTextContents();

    await page.locator('#chat-view .lang-switch').click();
    await expect(page.locator('#connection-text').textContent()).resolves.toBe('Connected');
    const enTexts = await page.locator('[data-i18n]').allTextContents();
    // Every marked string differs between the two languages: none was left untranslated.
    for (const [i, en] of enTexts.entries()) expect(zhTexts[i]).not.toBe(en);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    // The choice is remembered over a reload.
    await page.reload();
    await expect(page.locator('#connection-text').textContent()).resolves.toBe('Connected');
    await page.locator('#chat-view .lang-switch').click();
    await expect(page.locator('#composer-send').textContent()).resolves.toBe('发送');
  }, 60_000);
});
