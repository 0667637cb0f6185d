/**
 * Emoji in colour: in real Chromium on Linux, with the fonts CI installs (DejaVu, WenQuanYi,
 * Noto Color Emoji), every emoji in a message is drawn from the colour emoji font, never as a
 * black-and-white glyph of a text font, while digits, `#`, `*` and spaces stay in the text font.
 * Which font drew a text is what Chromium itself reports (CSS.getPlatformFontsForNode).
 */
import type { Browser, Page } from 'playwright-core';
import { uniqueRoom, type App } from '#test/support/app';
import { logIn, visit, type Person, type RunningServer, usePage } from './support';

let app: App;
let browser: Browser;
let server: RunningServer;
const people: Person[] = [];

usePage({ CHAT_SEND_RATE: '0' }, people, (f) => ({ app, browser, server } = f));

const COLOUR_FONTS = ['"Apple Color Emoji"', '"Segoe UI Emoji"', '"Noto Color Emoji"'];

/** Faces, keycaps, a flag, a ZWJ sequence, a skin tone, a heart with VS16, and symbols that DejaVu Sans also draws. */
const EMOJI = ['😀', '😂', '😍', '🙂', '🎉', '👍', '👍🏽', '👩‍💻', '🇨🇳', '❤️', '1️⃣', '☕', '⚡', '⭐', '✅', '🥲', '🫠'];
const PLAIN = 'Version 1.2 # 3 * 4, room 42';

/** The families of the fonts Chromium drew each element's text with, by element. */
async function fontsOf(page: Page, selector: string): Promise<string[][]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector });
  const fonts: string[][] = [];
  for (const nodeId of nodeIds) {
    const answer = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    fonts.push(answer.fonts.map((f) => f.familyName));
  }
  await cdp.detach();
  return fonts;
}

it('draws every emoji of a message from the colour emoji font, and digits and spaces from the text font', async () => {
  const person = await visit(browser, server.url);
  people.push(person);
  const { page } = person;
  const room = uniqueRoom('emoji');
  await page.evaluate((r) => (location.hash = r), room);
  await logIn(page, 'Robin 🙂');
  for (const text of [...EMOJI, PLAIN]) {
    await app.messageLog.appendMessage({ room, user: 'Mei 😀', uid: 'u_e0e0e0e0e0e0e0e0', text });
  }
  await page.locator('#messages .msg').nth(EMOJI.length).waitFor();

  const fonts = await fontsOf(page, '#messages .msg .text');
  expect(fonts.slice(0, EMOJI.length).map((families, i) => [EMOJI[i], families])).toEqual(
    EMOJI.map((e) => [e, ['Noto Color Emoji']]),
  );
  const plain = fonts[EMOJI.length]!;
  expect(plain.length).toBeGreaterThan(0);
  expect(plain).not.toContain('Noto Color Emoji');

  // The colour emoji fonts close every font stack, for systems whose text fonts lack an emoji.
  for (const selector of ['body', '#messages .tag']) {
    const stack = await page
      .locator(selector)
      .first()
      .evaluate((e) => getComputedStyle(e).fontFamily);
    expect(stack.split(/,\s*/).slice(-3)).toEqual(COLOUR_FONTS);
  }
}, 60_000);
