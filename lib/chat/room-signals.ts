/**
 * In-process wake-ups per room: a held poll subscribes before it reads, and whatever changes
 * the room in this process (an append today; the room's live state later) signals it. Closing
 * wakes everyone at once and for good, so held polls answer when the process shuts down.
 */

export interface Wake {
  /** Resolves at the room's next signal, at close, or after `ms`, whichever comes first; tells which. */
  readonly until: (ms: number) => Promise<'signal' | 'closed' | 'timeout'>;
  /** When the signal came (for the wake delay), if it came. */
  readonly signalledAt: () => number | undefined;
  /** Stops listening (always call it, e.g. in finally). */
  readonly cancel: () => void;
}

export class RoomSignals {
  private readonly listeners = new Map<string, Set<(reason: 'signal' | 'closed') => void>>();
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Listens for the room's next signal from now on, so none that comes before `until` is missed. */
  subscribe(room: string): Wake {
    let fired: 'signal' | 'closed' | undefined = this.closed ? 'closed' : undefined;
    let at: number | undefined;
    let resolveWait: ((reason: 'signal' | 'closed' | 'timeout') => void) | undefined;
    const listener = (reason: 'signal' | 'closed') => {
      if (fired) return;
      fired = reason;
      at = this.now();
      resolveWait?.(reason);
    };
    let set = this.listeners.get(room);
    if (!set) {
      set = new Set();
      this.listeners.set(room, set);
    }
    set.add(listener);
    const cancel = () => {
      const current = this.listeners.get(room);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(room);
    };
    return {
      until: (ms) => {
        if (fired) return Promise.resolve(fired);
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
          resolveWait = (reason) => {
            clearTimeout(timer);
            resolve(reason);
          };
        });
      },
      signalledAt: () => at,
      cancel,
    };
  }

  signal(room: string): void {
    const set = this.listeners.get(room);
    if (!set) return;
    this.listeners.delete(room);
    for (const listener of set) listener('signal');
  }

  /** Wakes every listener now and every later one at once. */
  close(): void {
    this.closed = true;
    const all = [...this.listeners.values()];
    this.listeners.clear();
    for (const set of all) for (const listener of set) listener('closed');
  }
}
