/**
 * The page's decisions that need no browser: when to poll, which language to speak, and the
 * names it makes for rooms and sends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { initialLang, setLang, t, type StringKey } from '#web/i18n';
import { BACKOFF_MAX_MS, HIDDEN_MS, QUIET_MAX_MS, nextPollDelay, type DelayInput } from '#web/poll-scheduler';
import { inviteLink, newClientId, privateRoomName, roomFromHash } from '#web/room';
import { buildPage } from '#test/browser/support';

const ok = (pollAfterMs: number, hasMore = false) => ({ kind: 'ok', hasMore, pollAfterMs, news: false }) as const;
const delay = (input: Partial<DelayInput>) =>
  nextPollDelay({ outcome: ok(2000), failures: 0, hidden: false, quietForMs: 0, random: 0.5, ...input });

describe('nextPollDelay', () => {
  it("follows the server's pollAfterMs in a conversation", () => {
    expect(delay({ outcome: ok(1000) })).toBe(1000);
    expect(delay({ outcome: ok(2000), quietForMs: 5000 })).toBe(2000);
  });

  it('asks again at once when more messages are waiting', () => {
    expect(delay({ outcome: ok(1000, true) })).toBe(0);
  });

  it('waits longer the longer a room stays quiet, up to a limit', () => {
    const waits = [0, 30_000, 60_000, 120_000, 600_000].map((quietForMs) => delay({ quietForMs }));
    expect(waits).toEqual([2000, 2500, 5000, QUIET_MAX_MS, QUIET_MAX_MS]);
  });

  it('polls at most once per 30 s while the tab is hidden, whatever the server or the room says', () => {
    expect(delay({ hidden: true, outcome: ok(1000) })).toBe(HIDDEN_MS);
    expect(delay({ hidden: true, outcome: ok(1000, true) })).toBe(HIDDEN_MS);
    expect(delay({ hidden: true, outcome: { kind: 'failed' }, failures: 1 })).toBe(HIDDEN_MS);
  });

  it('backs off exponentially with jitter after errors, up to 30 s, and honours Retry-After', () => {
    const failed = { kind: 'failed' } as const;
    const range = (failures: number) => [
      delay({ outcome: failed, failures, random: 0 }),
      delay({ outcome: failed, failures, random: 0.999999 }),
    ];
    expect(range(1)).toEqual([500, expect.closeTo(1000, 0)]);
    expect(range(2)).toEqual([1000, expect.closeTo(2000, 0)]);
    expect(range(4)).toEqual([4000, expect.closeTo(8000, 0)]);
    expect(range(10)).toEqual([BACKOFF_MAX_MS / 2, expect.closeTo(BACKOFF_MAX_MS, 0)]);
    expect(delay({ outcome: { kind: 'failed', retryAfterMs: 7000 }, failures: 1 })).toBe(7000);
  });
});

describe('languages', () => {
  it("speaks the reader's choice, else the first browser language it knows, else English", () => {
    expect(initialLang('zh', ['en-US'])).toBe('zh');
    expect(initialLang(null, ['fr-FR', 'zh-TW', 'en'])).toBe('zh');
    expect(initialLang(null, ['de', 'en-GB'])).toBe('en');
    expect(initialLang('klingon', ['ja'])).toBe('en');
  });

  it('has every string that index.html marks, in both languages', () => {
    const html = readFileSync(join(__dirname, '../../web/index.html'), 'utf8');
    const keys = [...html.matchAll(/data-i18n(?:-placeholder|-label)?="(\w+)"/g)].map((m) => m[1] as StringKey);
    expect(keys.length).toBeGreaterThan(20);
    for (const lang of ['en', 'zh'] as const) {
      setLang(lang, false);
      for (const key of keys) expect(t(key)).not.toBe(key);
    }
    setLang('en', false);
  });

  it('fills in values and leaves unknown placeholders visible', () => {
    setLang('zh', false);
    expect(t('newMessagesMany', { n: 3 })).toBe('3 条新消息');
    setLang('en', false);
    expect(t('slowDown', { s: 2 })).toBe('Slow down: you can send again in 2 s.');
    expect(t('slowDown')).toBe('Slow down: you can send again in {s} s.');
  });
});

describe('room names and client ids', () => {
  it('makes private room names from 128 random bits, as 22 base64url characters', () => {
    const names = new Set(Array.from({ length: 1000 }, privateRoomName));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('reads the room from the URL fragment, falling back to the lobby for anything invalid', () => {
    expect(roomFromHash('#kitchen')).toBe('kitchen');
    expect(roomFromHash('')).toBe('lobby');
    expect(roomFromHash('#no spaces')).toBe('lobby');
    expect(roomFromHash('#%E4%BD%A0')).toBe('lobby');
    expect(roomFromHash('#%')).toBe('lobby');
    expect(roomFromHash(`#${'a'.repeat(65)}`)).toBe('lobby');
  });

  it('builds invite links on the page itself, and client ids the API accepts', () => {
    expect(inviteLink('abc', { origin: 'https://chat.example', pathname: '/' })).toBe('https://chat.example/#abc');
    expect(newClientId()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('the built page', () => {
  it('stays small: what a first visit downloads is well under 60 KB gzipped', async () => {
    const dir = await buildPage();
    const files = ['index.html', 'styles.css', 'app.js', 'favicon.svg'];
    const sizes = files.map((f) => gzipSync(readFileSync(join(dir, f)), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.info(`page weight, gzipped: ${files.map((f, i) => `${f} ${sizes[i]}`).join(', ')}; total ${total} bytes`);
    expect(total).toBeLessThan(60 * 1024);
  }, 30_000);
});
