/**
 * When to poll next. Follows the server's `pollAfterMs`, stretches the wait while a room stays
 * quiet, asks again at once when `hasMore`, waits at least 30 s while the tab is hidden, and
 * backs off exponentially with jitter after errors.
 */

export type PollOutcome =
  | { readonly kind: 'ok'; readonly hasMore: boolean; readonly pollAfterMs: number; readonly news: boolean }
  | { readonly kind: 'failed'; readonly retryAfterMs?: number }
  /** Polling must end (for example the session expired). */
  | { readonly kind: 'stop' };

/** The longest wait in a quiet room, while the tab is visible. */
export const QUIET_MAX_MS = 10_000;
/** A quiet room's wait grows by this fraction of how long it has been quiet. */
export const QUIET_STRETCH = 1 / 12;
/** At most one poll per this while the tab is hidden. */
export const HIDDEN_MS = 30_000;
export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** What to wait when the server gave no hint (it always does; this guards a broken answer). */
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
}

/** Milliseconds until the next poll. */
export function nextPollDelay({ outcome, failures, hidden, quietForMs, random }: DelayInput): number {
  let delay: number;
  if (outcome.kind === 'failed') {
    // "Equal jitter": half the backoff fixed, half random, so many clients spread out after an outage.
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
    delay = Math.max(backoff / 2 + (backoff / 2) * random, outcome.retryAfterMs ?? 0);
  } else if (outcome.kind === 'ok') {
    const hint =
      Number.isFinite(outcome.pollAfterMs) && outcome.pollAfterMs >= 0 ? outcome.pollAfterMs : DEFAULT_POLL_MS;
    delay = outcome.hasMore ? 0 : Math.max(hint, Math.min(QUIET_MAX_MS, quietForMs * QUIET_STRETCH));
  } else {
    return Infinity;
  }
  return hidden ? Math.max(delay, HIDDEN_MS) : delay;
}

export interface SchedulerEnv {
  readonly now: () => number;
  readonly random: () => number;
  readonly hidden: () => boolean;
}

const browserEnv: SchedulerEnv = {
  now: () => performance.now(),
  random: Math.random,
  hidden: () => document.visibilityState === 'hidden',
};

/** Runs `poll` again and again, one at a time, at the times `nextPollDelay` gives. */
export class PollScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = Infinity;
  private running = false;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastStart = -Infinity;
  private lastActivity = 0;
  private hint = DEFAULT_POLL_MS;

  constructor(
    private readonly poll: () => Promise<PollOutcome>,
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
    this.lastStart = this.env.now();
    let outcome: PollOutcome;
    try {
      outcome = await this.poll();
    } catch {
      outcome = { kind: 'failed' };
    }
    this.running = false;
    if (this.stopped) return;
    if (outcome.kind === 'stop') return this.stop();
    if (outcome.kind === 'ok') {
      this.failures = 0;
      this.hint = outcome.pollAfterMs;
      if (outcome.news) this.lastActivity = this.env.now();
    } else {
      this.failures++;
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
    });
    // Hidden: at most one poll per HIDDEN_MS, counted from the start of the last one.
    if (hidden) delay = Math.max(delay, this.lastStart + HIDDEN_MS - this.env.now());
    this.schedule(delay);
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.dueAt = this.env.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.run();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
