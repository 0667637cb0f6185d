/**
 * What the browser tests share: the page built into a temp folder, the local server serving it
 * with the chat's handlers, Debian's Chromium driven by playwright-core, and people who open
 * the page and log in.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { loadApp, startLocalServer, type App } from '#test/support/app';
import { runBuilder } from '#test/support/build';
import { launchChromium } from '#test/support/chromium';

const root = join(__dirname, '..', '..');

const builds: string[] = [];
// Each test file builds its own copy of the page; it goes when the file's tests are done.
afterAll(() => {
  for (const dir of builds.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Builds the page with the same `buildWeb` as `npm start` and the AWS stack. */
export async function buildPage(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'chat-web-'));
  builds.push(outdir);
  await runBuilder('buildWeb', outdir);
  return outdir;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The local server (page and API) on `port` (0: any free one), in this process. */
export function serve(app: App, webRoot: string, port = 0): Promise<RunningServer> {
  return startLocalServer(app, webRoot, port);
}

export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors, CSP violations and dialogs seen on the page: a test expects none. */
  readonly problems: string[];
}

/** What to do to a new page before it opens the chat (install a clock, a recorder…). */
export type Prepare = (page: Page) => Promise<void>;

/** A new browser profile (own storage) on the page at `url`; not logged in yet. */
export async function visit(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
  prepare?: Prepare,
): Promise<Person> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 720 }, ...options });
  const page = await context.newPage();
  await prepare?.(page);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url);
  return { context, page, problems };
}

/** Logs in through the form and waits for the chat. */
export async function logIn(page: Page, name: string): Promise<void> {
  await page.locator('#login-name').fill(name);
  await page.locator('#login-button').click();
  await page.locator('#chat-view').waitFor({ state: 'visible' });
}

/** A person who opened `url` and logged in as `name`. */
export async function personIn(
  browser: Browser,
  url: string,
  name: string,
  options: BrowserContextOptions = {},
  prepare?: Prepare,
): Promise<Person> {
  const person = await visit(browser, url, options, prepare);
  await logIn(person.page, name);
  return person;
}

/** Types `text` in the message box and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.locator('#composer-text').fill(text);
  await page.locator('#composer-text').press('Enter');
}

/** The texts of the confirmed messages on the page, in order. */
export function shownTexts(page: Page): Promise<string[]> {
  return page.locator('#messages .msg .text').allTextContents();
}

/** The session this page holds, as the page stored it. */
export async function sessionOf(page: Page): Promise<{ token: string; uid: string; name: string }> {
  const raw = await page.evaluate(() => localStorage.getItem('chat.session'));
  if (!raw) throw new Error('the page holds no session');
  return JSON.parse(raw);
}

/**
 * Playwright keeps every page "visible" (no API hides one), so a tab switch is emulated the way
 * the browser reports it: document.visibilityState changes and visibilitychange fires.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** Counts the page's polls of the message list (GET …/messages?after=…) as they go on the wire, with their URLs. */
export function countPolls(page: Page): { count: number; readonly urls: URL[]; inFlight: number } {
  const counter = { count: 0, urls: [] as URL[], inFlight: 0 };
  const isPoll = (request: { url(): string; method(): string }) =>
    request.method() === 'GET' && /\/api\/rooms\/[^/]+\/messages\?after=/.test(request.url());
  page.on('request', (request) => {
    if (!isPoll(request)) return;
    counter.count++;
    counter.inFlight++;
    counter.urls.push(new URL(request.url()));
  });
  const done = (request: { url(): string; method(): string }) => {
    if (isPoll(request)) counter.inFlight--;
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return counter;
}

/** One poll of the message list (GET …/messages?after=…), as the page itself saw it, on its own clock. */
export interface PollRecord {
  readonly url: string;
  /** The `wait` it asked for (undefined: none). */
  readonly wait: number | undefined;
  /** performance.now() in the page (simulated when the page's clock is). */
  readonly startedAt: number;
  readonly answeredAt?: number;
  readonly pollAfterMs?: number;
  /** The texts of the messages it brought. */
  readonly texts?: string[];
  /** The name of the error it failed with (AbortError: the page gave it up). */
  readonly failed?: string;
}

export interface PollRecorder {
  /** Every poll so far, in the order the page started them. */
  all(): Promise<PollRecord[]>;
  /** Returns once no poll is in flight (each answer handled: the next one is scheduled or started). */
  settle(): Promise<void>;
}

/**
 * Records the page's polls from inside it: its fetch is wrapped before the page loads, so the
 * times are the page's own (exact under a simulated clock) and a poll counts as done only once
 * the page has read its answer. Pass as `prepare` to `visit`/`personIn`, with the clock first.
 */
export function pollRecorder(): { prepare: Prepare; recorder: (page: Page) => PollRecorder } {
  const prepare: Prepare = async (page) => {
    await page.addInitScript(() => {
      type Row = { url: string; startedAt: number; done: boolean } & Record<string, unknown>;
      const rows: Row[] = [];
      (window as unknown as { __polls: Row[] }).__polls = rows;
      const original = window.fetch.bind(window);
      window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input instanceof Request ? input.url : input), location.href).href;
        if ((init?.method ?? 'GET') !== 'GET' || !/\/api\/rooms\/[^/]+\/messages\?after=/.test(url))
          return original(input, init);
        const row: Row = { url, startedAt: performance.now(), done: false };
        rows.push(row);
        const finish = () => {
          row.answeredAt = performance.now();
          row.done = true;
        };
        return original(input, init).then(
          (response) => {
            const json = response.json.bind(response);
            response.json = () =>
              json()
                .then((body: { pollAfterMs?: number; messages?: { text: string }[] }) => {
                  row.pollAfterMs = body.pollAfterMs;
                  row.texts = body.messages?.map((m) => m.text);
                  return body;
                })
                .finally(finish);
            return response;
          },
          (error: unknown) => {
            row.failed = error instanceof Error ? error.name : String(error);
            finish();
            throw error;
          },
        );
      };
    });
  };
  const recorder = (page: Page): PollRecorder => {
    const rows = () =>
      page.evaluate(() =>
        (window as unknown as { __polls: (PollRecord & { done: boolean })[] }).__polls.map((row) => ({ ...row })),
      );
    return {
      async all() {
        return (await rows()).map(({ done: _, ...row }) => {
          const wait = new URL(row.url).searchParams.get('wait');
          return { ...row, wait: wait === null ? undefined : Number(wait) };
        });
      },
      async settle() {
        while ((await rows()).some((row) => !row.done)) await new Promise((resolve) => setTimeout(resolve, 20));
      },
    };
  };
  return { prepare, recorder };
}

export function artifactsDir(): string {
  const dir = join(root, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Reads again until `check` passes (or throws its last failure after `timeout` ms). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PageFixture {
  readonly app: App;
  readonly browser: Browser;
  readonly server: RunningServer;
  readonly webRoot: string;
}

/**
 * The hooks every browser test file needs: before all, the app (with `env`), the built page,
 * Chromium and the server; after each test, every person's browser context is closed and
 * none may have met a script error, a CSP violation or a dialog; after all, all is stopped
 * (held polls answered first).
 */
export function usePage(env: Record<string, string>, people: Person[], ready: (fixture: PageFixture) => void): void {
  let fixture: Partial<PageFixture> = {};
  beforeAll(async () => {
    const app = loadApp(env);
    const [webRoot, browser] = await Promise.all([buildPage(), launchChromium()]);
    fixture = { app, browser, webRoot, server: await serve(app, webRoot) };
    ready(fixture as PageFixture);
  }, 60_000);

  afterEach(async () => {
    const problems = people.flatMap((p) => p.problems);
    await Promise.all(people.splice(0).map((p) => p.context.close()));
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await fixture.browser?.close();
    // Held polls are answered at once, so no timer of theirs outlives the file.
    fixture.app?.services.close();
    await fixture.server?.close();
  });
}
