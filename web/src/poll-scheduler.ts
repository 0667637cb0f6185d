/**
 * When to poll next, and how long the server may hold each poll.
 *
 * Visible tab: every poll asks the server to hold it while nothing is new (`wait=25`); a held
 * poll is answered the moment a message comes, with `pollAfterMs: 0`, and the next poll starts
 * at once. A quiet room costs one request per 25 s (2.4 a minute) and a message shows at once.
 * A server that does not hold (its cap is 0) answers at once with its usual `pollAfterMs`
 * (1 s after news, 2 s after none): that is followed, stretched while the room stays quiet, as
 * before long-polling. `hasMore` asks again at once; errors back off exponentially with jitter
 * and honour Retry-After.
 *
 * Hidden tab: short polls (no `wait`), at most one per 30 s from the start of the last poll.
 * The three choices, per hidden tab, with DEPLOY.md's AWS prices (256 MB Lambda, a held poll
 * re-checking the store once a second):
 * - short polls every 30 s: 2 requests a minute; a message up to 30 s late (15 s on average);
 *   in AWS ≈ $0.00035 per tab-hour (120 × $2.90 per million), no Lambda held.
 * - held polls (`wait=25`) back to back: 2.4 requests a minute; a message at once; in AWS
 *   ≈ $0.013 per tab-hour (144 requests $0.0004, 900 GB-s of held Lambda $0.012, 3,600
 *   re-check reads $0.0005): 37× the short polls, and each hidden tab keeps a Lambda instance
 *   of the concurrency budget busy (locally, one of the browser's 6 connections to a server).
 * - a held poll, then 30 s of pause after it comes back empty: 1.1 requests a minute; a message
 *   at once if it comes during a hold (25 s of every 55), else up to 30 s late; in AWS ≈ $0.006
 *   per tab-hour (17×).
 * Chosen: short polls. Nobody reads a hidden tab, so the only thing a late message delays is
 * the unread count in its title; coming back to the tab polls at once, so what the reader sees
 * is never late. A hold in flight when the tab is hidden is left to finish (≤ 25 s).
 *
 * Refused with Retry-After (503: the server is overloaded, or in AWS the poll function's
 * concurrency budget is spent; 429): the page backs off as for any error, then makes short
 * polls (no `wait`) for DEGRADED_MS. A short poll holds an instance for milliseconds instead
 * of seconds, so the same budget serves hundreds of times more pages while it is tight.
 *
 * After a failed poll, the next one asks for no hold either: the page learns the moment the
 * server answers again that it is reconnected (the indicator, and the sends that failed
 * meanwhile, wait for that), instead of when a hold ends up to 25 s later. The poll after that
 * holds again.
 *
 * A poll answered "at once" (`pollAfterMs: 0`) that brought nothing and came back sooner than
 * HELD_MIN_MS was not really held (a server shutting down answers every held poll so); it is
 * treated as a quiet short poll, so the page does not ask again and again.
 */

export type PollOutcome =
  | { readonly kind: 'ok'; readonly hasMore: boolean; readonly pollAfterMs: number; readonly news: boolean }
  | { readonly kind: 'failed'; readonly retryAfterMs?: number }
  /** Polling must end (for example the session expired). */
  | { readonly kind: 'stop' };

/** What a visible tab asks the server to hold a poll for, in seconds (the API's most). */
export const WAIT_S = 25;
/** What a hidden tab asks for: no hold (see above). */
export const HIDDEN_WAIT_S = 0;
/** The longest wait in a quiet room, while the tab is visible and the server does not hold. */
export const QUIET_MAX_MS = 10_000;
/** A quiet room's wait grows by this fraction of how long it has been quiet. */
export const QUIET_STRETCH = 1 / 12;
/** At most one poll per this while the tab is hidden. */
export const HIDDEN_MS = 30_000;
export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** After a refusal with Retry-After, polls ask for no hold this long. */
export const DEGRADED_MS = 60_000;
/** An empty "ask again at once" answer faster than this was not held. */
export const HELD_MIN_MS = 1_000;
/** What to wait when the server gave no usable hint (it always does; this guards a broken answer). */
const DEFAULT_POLL_MS = 2_000;

export interface DelayInput {
  readonly outcome: PollOutcome;
  /** Failed polls in a row, this one included. */
  readonly failures: number;
  readonly hidden: boolean;
  /** Time since the last new message or the reader's last action. */
  readonly quietForMs: number;
  /** A number in [0, 1). */
  readonly random: number;
  /** From the start of the poll to its answer. */
  readonly tookMs: number;
}

/** The server's `pollAfterMs` as the page takes it: a broken value, or a hold that did not hold, is a quiet poll's. */
export function serverHint(outcome: PollOutcome & { kind: 'ok' }, tookMs: number): number {
  const hint = outcome.pollAfterMs;
  if (!Number.isFinite(hint) || hint < 0) return DEFAULT_POLL_MS;
  if (hint === 0 && !outcome.hasMore && !outcome.news && tookMs < HELD_MIN_MS) return DEFAULT_POLL_MS;
  return hint;
}

/** Milliseconds until the next poll. */
export function nextPollDelay({ outcome, failures, hidden, quietForMs, random, tookMs }: DelayInput): number {
  let delay: number;
  if (outcome.kind === 'failed') {
    // "Equal jitter": half the backoff fixed, half random, so many clients spread out after an outage.
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
    delay = Math.max(backoff / 2 + (backoff / 2) * random, outcome.retryAfterMs ?? 0);
  } else if (outcome.kind === 'ok') {
    const hint = serverHint(outcome, tookMs);
    // 0: the poll was held (or more is waiting), so the next one starts at once, however quiet
    // the room; the stretch only spaces out the short polls of a server that does not hold.
    delay = outcome.hasMore || hint === 0 ? 0 : Math.max(hint, Math.min(QUIET_MAX_MS, quietForMs * QUIET_STRETCH));
  } else {
    return Infinity;
  }
  return hidden ? Math.max(delay, HIDDEN_MS) : delay;
}

/** Seconds the server may hold the next poll: none while hidden, or while the server is short of room or just failed. */
export const pollWait = (hidden: boolean, degraded = false): number => (hidden || degraded ? HIDDEN_WAIT_S : WAIT_S);

export interface SchedulerEnv {
  readonly now: () => number;
  readonly random: () => number;
  readonly hidden: () => boolean;
  /** Calls `run` in `ms` (the browser's setTimeout); returns what cancels it. */
  readonly later: (run: () => void, ms: number) => () => void;
}

const browserEnv: SchedulerEnv = {
  now: () => performance.now(),
  random: Math.random,
  hidden: () => document.visibilityState === 'hidden',
  later: (run, ms) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** Runs `poll` again and again, one at a time, at the times `nextPollDelay` gives. */
export class PollScheduler {
  private cancelTimer: (() => void) | undefined;
  private dueAt = Infinity;
  private running = false;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastStart = -Infinity;
  private lastActivity = 0;
  private hint = DEFAULT_POLL_MS;
  /** The last answer said the server holds polls, so the one in flight (if any) is held. */
  private holds = false;
  /** Until then, short polls: the server refused a poll with Retry-After. */
  private shortUntil = -Infinity;

  constructor(
    /** One poll; the server may hold it up to `wait` seconds while nothing is new. */
    private readonly poll: (wait: number) => Promise<PollOutcome>,
    /** Told the count of failed polls in a row after every poll. */
    private readonly onFailures: (failures: number) => void,
    private readonly env: SchedulerEnv = browserEnv,
  ) {}

  start(): void {
    this.stopped = false;
    this.lastActivity = this.env.now();
    this.pollNow();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  /** The reader did something (typed, sent, came back): the conversation may be about to go on. */
  noteActivity(): void {
    this.lastActivity = this.env.now();
    if (!this.stopped && !this.running && this.failures === 0 && !this.env.hidden()) {
      const soon = this.env.now() + this.hint;
      if (this.dueAt > soon) this.schedule(this.hint);
    }
  }

  /** A message was just stored: a held poll in flight brings it by itself; otherwise poll now. */
  sent(): void {
    if (this.running && this.holds) return;
    this.pollNow();
  }

  /** Poll as soon as the one in flight (if any) is done. */
  pollNow(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    void this.run();
  }

  /** The tab was hidden or shown. */
  visibilityChanged(): void {
    if (this.stopped) return;
    if (!this.env.hidden()) {
      this.lastActivity = this.env.now();
      this.pollNow();
    } else if (!this.running) {
      const earliest = this.lastStart + HIDDEN_MS;
      if (this.dueAt < earliest) this.schedule(earliest - this.env.now());
    }
  }

  private async run(): Promise<void> {
    this.running = true;
    this.again = false;
    const started = this.env.now();
    this.lastStart = started;
    let outcome: PollOutcome;
    try {
      outcome = await this.poll(pollWait(this.env.hidden(), started < this.shortUntil || this.failures > 0));
    } catch {
      outcome = { kind: 'failed' };
    }
    this.running = false;
    if (this.stopped) return;
    if (outcome.kind === 'stop') return this.stop();
    const tookMs = this.env.now() - started;
    if (outcome.kind === 'ok') {
      this.failures = 0;
      this.hint = serverHint(outcome, tookMs);
      if (!outcome.hasMore) this.holds = this.hint === 0;
      if (outcome.news) this.lastActivity = this.env.now();
    } else {
      this.failures++;
      if (outcome.retryAfterMs !== undefined) this.shortUntil = this.env.now() + DEGRADED_MS;
    }
    this.onFailures(this.failures);
    if (this.again && outcome.kind === 'ok') return void this.run();
    const hidden = this.env.hidden();
    let delay = nextPollDelay({
      outcome,
      failures: this.failures,
      hidden,
      quietForMs: this.env.now() - this.lastActivity,
      random: this.env.random(),
      tookMs,
    });
    // Hidden: at most one poll per HIDDEN_MS, counted from the start of the last one.
    if (hidden) delay = Math.max(delay, this.lastStart + HIDDEN_MS - this.env.now());
    this.schedule(delay);
  }

  /** Runs the next poll in `delayMs`; at once (no timer) for 0, so a held poll follows its answer directly. */
  private schedule(delayMs: number): void {
    this.clearTimer();
    if (delayMs <= 0) return void this.run();
    this.dueAt = this.env.now() + delayMs;
    this.cancelTimer = this.env.later(() => {
      this.cancelTimer = undefined;
      this.dueAt = Infinity;
      void this.run();
    }, delayMs);
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.dueAt = Infinity;
  }
}
