/**
 * Changing messages in real Chromium (API v2): two people in one room, each in a page of their
 * own. An edit, a delete or a reaction in one page shows in the other with its next poll; the
 * page shows a message only ever newer (by rev), so a read that carries older copies never
 * takes it back; edited text is as inert as sent text.
 */
import type { Browser, Locator, Page, Route } from 'playwright-core';
import { call, login, uniqueRoom, type App } from '#test/support/app';
import { eventually, personIn, say, sessionOf, shownTexts, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

async function person(room: string, name: string, options = {}): Promise<Person> {
  const p = await personIn(browser, `${server.url}/#${room}`, name, options);
  people.push(p);
  return p;
}

/** The confirmed message on `page` whose text has `text`. */
const message = (page: Page, text: string | RegExp): Locator =>
  page.locator('#messages > li.msg', { has: page.locator('.text', { hasText: text }) });

/** The message on `page` that shows `text` now, found by its id (an edit box takes the text's place). */
async function held(page: Page, text: string): Promise<Locator> {
  const id = await message(page, text).getAttribute('data-id');
  return page.locator(`#messages > li.msg[data-id="${id}"]`);
}

/** Sends `text` and waits until every page shows it. */
async function sayToAll(from: Page, text: string, pages: Page[]): Promise<void> {
  await say(from, text);
  for (const page of pages) await message(page, text).waitFor();
}

/** Shows the actions of a message as a desktop reader does: with the pointer over it. */
async function actionsOf(item: Locator): Promise<Locator> {
  await item.hover();
  const toolbar = item.locator('[role="toolbar"]');
  await toolbar.waitFor();
  return toolbar;
}

/** The chips of a message: [emoji, count, pressed] each. */
function chips(item: Locator): Promise<[string, string, string | null][]> {
  return item
    .locator('.reactions .chip')
    .evaluateAll((all) =>
      all.map((c): [string, string, string | null] => [
        c.querySelector('.emoji')?.textContent ?? '',
        c.querySelector('.count')?.textContent ?? '',
        c.getAttribute('aria-pressed'),
      ]),
    );
}

/** The stored message with `id` in `room`, as anyone reading the room gets it. */
async function stored(token: string, room: string, id: number): Promise<Record<string, unknown>> {
  const answer = await call(app, 'GET', `/api/rooms/${room}/messages?before=${id + 1}&limit=1`, { token });
  return answer.json.messages[0];
}

/**
 * Answers `route` with the server's answer, its body passed through `change`. A poll still held
 * when the test ends is given up with the page.
 */
async function passedOn(route: Route, change: (body: string) => string | Promise<string>): Promise<void> {
  try {
    const response = await route.fetch();
    await route.fulfill({ response, body: await change(await response.text()) });
  } catch {
    // The page is closed: nobody waits for this answer any more.
  }
}

const idOf = async (item: Locator): Promise<number> => Number(await item.getAttribute('data-id'));

describe('an edit', () => {
  it('shows in the other page with its next poll, marked "(edited)" with the time of the edit', async () => {
    const room = uniqueRoom('edit');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, 'helo everyone', [ana.page, bo.page]);

    const mine = await held(ana.page, 'helo everyone');
    await (await actionsOf(mine)).getByRole('button', { name: 'Edit' }).click();
    const box = mine.getByRole('textbox', { name: 'Edit message' });
    await expect(box.inputValue()).resolves.toBe('helo everyone');
    await expect(box.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    await box.fill('hello everyone');
    await box.press('Enter');

    await message(ana.page, 'hello everyone').locator('.edited').waitFor();
    const theirs = message(bo.page, 'hello everyone');
    await theirs.locator('.edited').waitFor();
    await expect(theirs.locator('.edited').textContent()).resolves.toBe('(edited)');
    await expect(theirs.locator('.edited').getAttribute('title')).resolves.toMatch(/^Edited \w+day, /);
    expect(await shownTexts(bo.page)).toEqual(['hello everyone']);
    await expect(mine.locator('textarea').count()).resolves.toBe(0);
    // A screen reader in the other page is told, with the new text; the author's own page is not.
    await expect(bo.page.locator('#live').textContent()).resolves.toBe('Ana edited a message: hello everyone');
    await expect(ana.page.locator('#live').textContent()).resolves.not.toContain('edited');
  }, 60_000);

  it('starts with Up in an empty message box on the last own message: Esc cancels, Shift+Enter adds a line, Enter saves', async () => {
    const room = uniqueRoom('up');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, 'first', [ana.page, bo.page]);
    await sayToAll(ana.page, 'second', [ana.page, bo.page]);
    await sayToAll(bo.page, 'from Bo', [ana.page, bo.page]);
    const composer = ana.page.locator('#composer-text');

    const box = (await held(ana.page, 'second')).locator('textarea');
    await composer.focus();
    await composer.press('ArrowUp');
    await box.waitFor();
    await expect(box.inputValue()).resolves.toBe('second');
    await box.press('Escape');
    await box.waitFor({ state: 'detached' });
    await expect(composer.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    expect(await shownTexts(ana.page)).toEqual(['first', 'second', 'from Bo']);

    // Not while the box holds text: Up moves in the text then.
    await composer.fill('draft');
    await composer.press('ArrowUp');
    await expect(ana.page.locator('#messages textarea').count()).resolves.toBe(0);
    await composer.fill('');

    await composer.press('ArrowUp');
    await box.waitFor();
    await box.press('End');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    await box.waitFor({ state: 'detached' });
    await expect(composer.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    await message(bo.page, 'line two').waitFor();
    expect(await shownTexts(bo.page)).toEqual(['first', 'second\nline two', 'from Bo']);
    await expect(composer.inputValue()).resolves.toBe('');
  }, 60_000);

  it('keeps hostile text inert: no element made from it, no script run, only its web link a link', async () => {
    const room = uniqueRoom('inert');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, 'harmless', [ana.page, bo.page]);
    const hostile =
      '<img src=x onerror=alert(1)> <script>alert(2)</script> <b onmouseover=alert(3)>bold</b> ' +
      '&lt;i&gt; see https://example.com/a?b=1<svg onload=alert(4)>';

    const harmless = await held(ana.page, 'harmless');
    await (await actionsOf(harmless)).getByRole('button', { name: 'Edit' }).click();
    const box = harmless.locator('textarea');
    await box.fill(hostile);
    await box.press('Enter');

    for (const page of [ana.page, bo.page]) {
      const item = message(page, 'onerror=alert(1)');
      await item.locator('.edited').waitFor();
      await expect(item.locator('.text').textContent()).resolves.toBe(hostile);
      await expect(item.locator('.text *').evaluateAll((all) => all.map((e) => e.tagName))).resolves.toEqual(['A']);
      await expect(item.locator('.text a').getAttribute('href')).resolves.toBe('https://example.com/a?b=1');
      await expect(page.locator('#messages img, #messages script, #messages svg, #messages b').count()).resolves.toBe(
        0,
      );
    }
    // A dialog (alert) would be among the problems the hooks check after each test.
  }, 60_000);

  it('refused because the message was deleted meanwhile: says so, and shows the message deleted', async () => {
    const room = uniqueRoom('gone');
    const ana = await person(room, 'Ana');
    // Ana's polls lose their update entries from here on (the poll held now ends with her
    // message), so her page learns of the delete only from the refused save.
    await ana.page.route(/\/messages\?after=/, (route) =>
      passedOn(route, (body) => {
        const page = JSON.parse(body);
        page.messages = page.messages.filter((e: { kind?: string }) => e.kind !== 'update');
        return JSON.stringify(page);
      }),
    );
    await sayToAll(ana.page, 'about to go', [ana.page]);
    const item = await held(ana.page, 'about to go');
    const id = await idOf(item);
    await (await actionsOf(item)).getByRole('button', { name: 'Edit' }).click();
    const { token } = await sessionOf(ana.page);
    expect((await call(app, 'DELETE', `/api/rooms/${room}/messages/${id}`, { token })).status).toBe(200);

    const box = item.locator('textarea');
    await box.fill('too late');
    await box.press('Enter');
    const gone = ana.page.locator(`#messages > li.msg[data-id="${id}"]`);
    await gone.locator('.change-notice', { hasText: 'This message has been deleted.' }).waitFor();
    await gone.locator('.text', { hasText: 'Message deleted' }).waitFor();
    await expect(gone.locator('textarea').count()).resolves.toBe(0);
    await ana.page.unrouteAll({ behavior: 'ignoreErrors' });
  }, 60_000);
});

describe('a delete', () => {
  it('asks first in the page, and then leaves "Message deleted" in place, in both pages', async () => {
    const room = uniqueRoom('delete');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, 'before', [ana.page, bo.page]);
    await sayToAll(ana.page, 'oops, wrong room', [ana.page, bo.page]);
    await sayToAll(ana.page, 'after', [ana.page, bo.page]);
    const item = await held(ana.page, 'oops, wrong room');
    const id = await idOf(item);
    const deletes: string[] = [];
    ana.page.on('request', (r) => r.method() === 'DELETE' && deletes.push(r.url()));

    await (await actionsOf(item)).getByRole('button', { name: 'Delete' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'Delete this message?' });
    await dialog.waitFor();
    await expect(dialog.locator('.quote').textContent()).resolves.toBe('oops, wrong room');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(deletes).toEqual([]);
    await expect(item.locator('.text').textContent()).resolves.toBe('oops, wrong room');

    await (await actionsOf(item)).getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    for (const page of [ana.page, bo.page]) {
      const deleted = page.locator(`#messages > li.msg.deleted[data-id="${id}"]`);
      await deleted.waitFor();
      await expect(deleted.locator('.text').textContent()).resolves.toBe('Message deleted');
      expect(await shownTexts(page)).toEqual(['before', 'Message deleted', 'after']);
    }
    await expect(bo.page.locator('#live').textContent()).resolves.toBe('Ana deleted a message.');
    expect(deletes).toHaveLength(1);
    const { token } = await sessionOf(bo.page);
    await expect(stored(token, room, id)).resolves.toMatchObject({ text: '', deleted: true });
    // A deleted message offers nothing more to do.
    await ana.page.locator(`#messages > li.msg[data-id="${id}"]`).hover();
    await expect(ana.page.locator('[role="toolbar"]').count()).resolves.toBe(0);
  }, 60_000);

  it("is offered only on one's own messages, as is the edit", async () => {
    const room = uniqueRoom('theirs');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, "Ana's", [ana.page, bo.page]);
    const toolbar = await actionsOf(message(bo.page, "Ana's"));
    await expect(toolbar.getByRole('button', { name: 'React with 👍' }).isVisible()).resolves.toBe(true);
    await expect(toolbar.getByRole('button', { name: 'Edit' }).count()).resolves.toBe(0);
    await expect(toolbar.getByRole('button', { name: 'Delete' }).count()).resolves.toBe(0);
  }, 60_000);
});

describe('reactions', () => {
  it('show as a chip per emoji with its count, pressed for who reacted, and a click on a chip toggles one own', async () => {
    const room = uniqueRoom('react');
    const ana = await person(room, 'Ana');
    const bo = await person(room, 'Bo');
    await sayToAll(ana.page, 'react to me', [ana.page, bo.page]);
    const atAna = message(ana.page, 'react to me');
    const atBo = message(bo.page, 'react to me');

    await (await actionsOf(atBo)).getByRole('button', { name: 'React with 👍' }).click();
    await eventually(
      () => chips(atBo),
      (c) => expect(c).toEqual([['👍', '1', 'true']]),
    );
    await eventually(
      () => chips(atAna),
      (c) => expect(c).toEqual([['👍', '1', 'false']]),
    );

    await atAna.locator('.chip', { hasText: '👍' }).click();
    for (const [item, mine] of [
      [atAna, 'true'],
      [atBo, 'true'],
    ] as const) {
      await eventually(
        () => chips(item),
        (c) => expect(c).toEqual([['👍', '2', mine]]),
      );
    }

    await (await actionsOf(atAna)).getByRole('button', { name: 'React with ❤️' }).click();
    await atBo.locator('.chip', { hasText: '👍' }).click();
    await eventually(
      () => chips(atBo),
      (c) =>
        expect(c).toEqual([
          ['👍', '1', 'false'],
          ['❤️', '1', 'false'],
        ]),
    );
    await eventually(
      () => chips(atAna),
      (c) =>
        expect(c).toEqual([
          ['👍', '1', 'true'],
          ['❤️', '1', 'true'],
        ]),
    );
    // The heart travels as U+2764 U+FE0F.
    const { token } = await sessionOf(ana.page);
    const reactions = (await stored(token, room, await idOf(atAna))).reactions as { emoji: string }[];
    expect(reactions.map((r) => [...r.emoji].map((c) => c.codePointAt(0)!.toString(16)))).toEqual([
      ['1f44d'],
      ['2764', 'fe0f'],
    ]);
  }, 60_000);

  it('wait when the server asks for it (429), say so, and then go through', async () => {
    const room = uniqueRoom('wait');
    const ana = await person(room, 'Ana');
    await sayToAll(ana.page, 'slowly', [ana.page]);
    let refused = 0;
    await ana.page.route(/\/reactions\//, (route) => {
      if (refused++ > 0) return route.continue();
      return route.fulfill({
        status: 429,
        headers: { 'Retry-After': '1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }),
      });
    });
    const item = message(ana.page, 'slowly');
    await (await actionsOf(item)).getByRole('button', { name: 'React with 🎉' }).click();
    await item.locator('.change-notice', { hasText: 'Too many changes at once: trying again in 1 s.' }).waitFor();
    await eventually(
      () => chips(item),
      (c) => expect(c).toEqual([['🎉', '1', 'true']]),
    );
    await expect(item.locator('.change-notice').count()).resolves.toBe(0);
    expect(refused).toBe(2);
  }, 60_000);
});

describe('the actions without a mouse', () => {
  it('are reachable by keyboard: the messages are one tab stop, the arrows move, the toolbar follows the focus', async () => {
    const room = uniqueRoom('keys');
    const ana = await person(room, 'Ana');
    await sayToAll(ana.page, 'one', [ana.page]);
    await sayToAll(ana.page, 'two', [ana.page]);
    const focused = () =>
      ana.page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return (
          e?.closest('li.msg')?.querySelector('.text')?.textContent + (e?.tagName === 'LI' ? '' : ` ${e?.textContent}`)
        );
      });

    await ana.page.locator('#message-pane').focus();
    await ana.page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('two');
    await message(ana.page, 'two').locator('[role="toolbar"]').waitFor();
    await ana.page.keyboard.press('ArrowUp');
    await expect(focused()).resolves.toBe('one');
    await ana.page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('one 👍');
    await ana.page.keyboard.press('ArrowRight');
    await expect(focused()).resolves.toBe('one ❤️');
    await ana.page.keyboard.press('Enter');
    await eventually(
      () => chips(message(ana.page, 'one')),
      (c) => expect(c).toEqual([['❤️', '1', 'true']]),
    );
    // The focus stays on the button through the message's new rendering.
    await expect(focused()).resolves.toBe('one ❤️');
    await ana.page.keyboard.press('Escape');
    await expect(focused()).resolves.toBe('one');
  }, 60_000);

  it('show on a phone when a message is pressed long', async () => {
    const room = uniqueRoom('phone');
    const ana = await person(room, 'Ana', { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true });
    await sayToAll(ana.page, 'press me', [ana.page]);
    const item = message(ana.page, 'press me');
    const box = await item.boundingBox();
    const at = { pointerType: 'touch', isPrimary: true, clientX: box!.x + 10, clientY: box!.y + 10 };
    await item.dispatchEvent('pointerdown', at);
    const toolbar = item.locator('[role="toolbar"]');
    await toolbar.waitFor();
    await item.dispatchEvent('pointerup', at);
    await toolbar.getByRole('button', { name: 'React with 😮' }).tap();
    await eventually(
      () => chips(item),
      (c) => expect(c).toEqual([['😮', '1', 'true']]),
    );
  }, 60_000);
});

describe('older copies', () => {
  it('never take a message back: a poll answer with an older change, coming after the newer one, is let go', async () => {
    const room = uniqueRoom('rev');
    const ana = await person(room, 'Ana');
    // Ana's polls pass through the test, which holds back the first answer with an update entry.
    let caught!: () => void;
    const holdingUpdate = new Promise<void>((resolve) => (caught = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let pollsAfter = 0;
    let holding = true;
    await ana.page.route(/\/messages\?after=/, (route) => {
      // The polls after it are left unanswered: what the page shows then is the held answer's doing.
      if (!holding) {
        pollsAfter++;
        return;
      }
      return passedOn(route, async (body) => {
        if (body.includes('"kind":"update"')) {
          holding = false;
          caught();
          await released;
        }
        return body;
      });
    });
    // The poll held when the route was made ends with this message; the next goes through the route.
    await sayToAll(ana.page, 'v0', [ana.page]);
    const item = await held(ana.page, 'v0');
    const id = await idOf(item);

    // Edited from elsewhere (rev 1): the poll that carries it is held back.
    const { token } = await sessionOf(ana.page);
    const path = `/api/rooms/${room}/messages/${id}`;
    expect((await call(app, 'PATCH', path, { token, body: { text: 'v1' } })).status).toBe(200);
    await holdingUpdate;
    // Edited here (rev 2): the answer shows at once.
    await (await actionsOf(item)).getByRole('button', { name: 'Edit' }).click();
    const box = item.locator('textarea');
    await expect(box.inputValue()).resolves.toBe('v0');
    await box.fill('v2');
    await box.press('Enter');
    const shown = ana.page.locator(`#messages > li.msg[data-id="${id}"]`);
    await shown.locator('.text', { hasText: 'v2' }).waitFor();

    release();
    // The page asks again once it has taken in the held answer.
    await eventually(
      async () => pollsAfter,
      (n) => expect(n).toBeGreaterThan(0),
    );
    await expect(shown.locator('.text').textContent()).resolves.toBe('v2');
    await ana.page.unrouteAll({ behavior: 'ignoreErrors' });
  }, 60_000);

  it('show each message as it now reads in a first read that also holds the update entries before it', async () => {
    const room = uniqueRoom('first');
    const seed = await login(app, 'Seed');
    const sent = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token: seed.token,
      body: { text: 'draft 0', clientId: 'c-rev-0' },
    });
    const id = sent.json.id as number;
    const path = `/api/rooms/${room}/messages/${id}`;
    for (const text of ['draft 1', 'draft 2'])
      expect((await call(app, 'PATCH', path, { token: seed.token, body: { text } })).status).toBe(200);
    const heart = encodeURIComponent('❤️');
    expect((await call(app, 'PUT', `${path}/reactions/${heart}`, { token: seed.token })).status).toBe(200);

    const carol = await person(room, 'Carol');
    const item = carol.page.locator(`#messages > li.msg[data-id="${id}"]`);
    await item.waitFor();
    await expect(item.locator('.text').textContent()).resolves.toBe('draft 2');
    await expect(chips(item)).resolves.toEqual([['❤️', '1', 'false']]);
    // The update entries are not messages.
    expect(await carol.page.locator('#messages > li.msg').count()).toBe(1);
  }, 60_000);

  it('show each message as it now reads in a history read after its updates', async () => {
    const room = uniqueRoom('history');
    const seed = await login(app, 'Seed');
    const sent = await call(app, 'POST', `/api/rooms/${room}/messages`, {
      token: seed.token,
      body: { text: 'old 0', clientId: 'c-hist-0' },
    });
    const id = sent.json.id as number;
    for (const text of ['old 1', 'old 2'])
      await call(app, 'PATCH', `/api/rooms/${room}/messages/${id}`, { token: seed.token, body: { text } });
    for (let i = 0; i < 60; i++)
      await app.messageLog.appendMessage({ room, user: 'Seed', uid: seed.uid, text: `filler ${i}` });

    const carol = await person(room, 'Carol');
    await message(carol.page, 'filler 59').waitFor();
    await expect(carol.page.locator(`#messages > li.msg[data-id="${id}"]`).count()).resolves.toBe(0);
    // Near the top, older messages load by themselves.
    await carol.page.locator('#message-pane').evaluate((pane) => {
      pane.scrollTop = 0;
      pane.dispatchEvent(new Event('scroll'));
    });
    const item = carol.page.locator(`#messages > li.msg[data-id="${id}"]`);
    await item.waitFor();
    await expect(item.locator('.text').textContent()).resolves.toBe('old 2');
    await expect(item.locator('.edited').count()).resolves.toBe(1);
  }, 60_000);
});
