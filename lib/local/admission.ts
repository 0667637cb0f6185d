/**
 * Load shedding for the local server: past what it can work on promptly, a request is answered
 * 503 `unavailable` with Retry-After at once, instead of waiting in a queue until the client
 * gives up. Two signs of overload count: too many API requests being worked on (held polls
 * excluded: they wait for news and cost nothing meanwhile), and an event loop that runs late
 * (requests already waiting for their turn).
 */

export interface AdmissionOptions {
  /** API requests being worked on (not held) at once; more are shed. */
  readonly maxWorking?: number;
  /** Shed while the event loop runs this much late, tick after tick; 0: never for lateness. */
  readonly maxLagMs?: number;
  /** How many of the requests in the server are held polls now. */
  readonly holding: () => number;
}

const LAG_SAMPLE_MS = 20;
/**
 * Late ticks in a row that count as overload: one late tick is a pause (garbage collection,
 * the machine busy for a moment) that a queue absorbs; three in a row (half a second or more
 * at the default) is work arriving faster than it is done.
 */
const LATE_TICKS = 3;

export class Admission {
  private active = 0;
  private lateTicks = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly maxWorking: number;
  private readonly maxLagMs: number;

  constructor(private readonly options: AdmissionOptions) {
    this.maxWorking = options.maxWorking ?? 1024;
    this.maxLagMs = options.maxLagMs ?? 150;
    let expected = performance.now() + LAG_SAMPLE_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lateTicks = this.maxLagMs > 0 && now - expected > this.maxLagMs ? this.lateTicks + 1 : 0;
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    this.timer.unref();
  }

  /** Takes a place for a request, or says no (then answer 503 at once). */
  tryEnter(): boolean {
    if (this.active - this.options.holding() >= this.maxWorking || this.lateTicks >= LATE_TICKS) return false;
    this.active++;
    return true;
  }

  leave(): void {
    this.active--;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
