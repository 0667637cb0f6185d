/**
 * When to look at the rooms the reader has joined but is not in. Only the open room long-polls;
 * every other joined room gets a light check (the newest read, `limit=1`, which gives the room's
 * head) at most once per CHECK_MS, and the checks are spread evenly over that time, one at a
 * time, so ten rooms cost ten light reads per 30 s, never ten at once. Only a room whose head
 * moved past what the page has counted is read once more, for what is new (see room-watch.ts).
 *
 * A hidden tab keeps checking, at the same pace: that is when the title's count and the
 * notifications of mentions are what tells the reader, and a check costs one short read (no
 * held request). Ten background rooms cost 20 requests a minute at most; in AWS (DEPLOY.md's
 * prices, $2.90 per million requests incl. Lambda) ≈ $0.0035 per tab-hour, about ten times the
 * hidden open room's short polls. The browser slows timers in a tab hidden for long (Chromium:
 * at most once a minute after 5 minutes), which stretches the checks further by itself.
 */

/** At most one check per room per this. */
export const CHECK_MS = 30_000;

export interface CheckPlan {
  /** The room to check next (undefined: none to check). */
  readonly room: string | undefined;
  /** Milliseconds until then. */
  readonly delayMs: number;
}

/**
 * The next check: the room checked longest ago, once CHECK_MS have passed since its last check
 * and intervalMs / rooms since the last check of any room.
 */
export function nextCheck(
  rooms: readonly string[],
  lastChecked: ReadonlyMap<string, number>,
  lastAny: number,
  now: number,
  intervalMs = CHECK_MS,
): CheckPlan {
  let room: string | undefined;
  let oldest = Infinity;
  for (const name of rooms) {
    const at = lastChecked.get(name) ?? -Infinity;
    if (room === undefined || at < oldest) {
      room = name;
      oldest = at;
    }
  }
  if (room === undefined) return { room, delayMs: Infinity };
  const due = Math.max(oldest + intervalMs, lastAny + intervalMs / rooms.length);
  return { room, delayMs: Math.max(0, due - now) };
}

export interface CheckEnv {
  readonly now: () => number;
  /** Calls `run` in `ms`; returns what cancels it. */
  readonly later: (run: () => void, ms: number) => () => void;
}

const browserEnv: CheckEnv = {
  now: () => performance.now(),
  later: (run, ms) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** Runs `check` for the background rooms, one at a time, as nextCheck plans. */
export class BackgroundChecks {
  private readonly lastChecked = new Map<string, number>();
  private lastAny = -Infinity;
  private cancel: (() => void) | undefined;
  private running = false;
  private stopped = true;

  constructor(
    /** The rooms to check now (the joined ones but the open one). */
    private readonly rooms: () => readonly string[],
    private readonly check: (room: string) => Promise<void>,
    private readonly intervalMs = CHECK_MS,
    private readonly env: CheckEnv = browserEnv,
  ) {}

  start(): void {
    this.stopped = false;
    this.plan();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** The room was just read in full (it was the open one): its next check can wait. */
  checked(room: string): void {
    this.lastChecked.set(room, this.env.now());
    this.plan();
  }

  /** The set of rooms changed (joined, left, another opened). */
  roomsChanged(): void {
    this.plan();
  }

  private plan(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stopped || this.running) return;
    const { room, delayMs } = this.next();
    if (room === undefined) return;
    this.cancel = this.env.later(() => {
      this.cancel = undefined;
      // Planned again at its time: a browser may run a timer a few milliseconds early (it lines
      // wake-ups up), and then it waits the rest.
      const due = this.next();
      if (due.room !== undefined && due.delayMs === 0) void this.run(due.room);
      else this.plan();
    }, delayMs);
  }

  private next(): CheckPlan {
    return nextCheck(this.rooms(), this.lastChecked, this.lastAny, this.env.now(), this.intervalMs);
  }

  private async run(room: string): Promise<void> {
    if (this.stopped || !this.rooms().includes(room)) return this.plan();
    this.running = true;
    try {
      await this.check(room);
    } catch {
      // A failed check waits for its next turn; the open room's indicator tells about the connection.
    }
    // Timed from its end: whenever the check's request went out, the next one goes out at least
    // the interval later, also when the page was slow to make the first.
    this.lastAny = this.env.now();
    this.lastChecked.set(room, this.lastAny);
    this.running = false;
    this.plan();
  }
}
