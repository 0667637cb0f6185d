/**
 * Long-polling: a poll that finds nothing new after its cursor may wait for news, up to a
 * given time. Safe because the cursor only moves over ids a client has received: an answer
 * "nothing new after 42" can be late, never wrong.
 *
 * A held poll listens to its room's in-process signal before each read, so no append in this
 * process between the read and the wait is missed. Where other processes write too, it also
 * re-checks the store every `checkMs` (one strongly consistent query each time); as the sole
 * writer, the signal is all it needs, and its reads come from memory.
 */
import type { MessageReader, Page } from './message-log';
import type { RoomSignals } from './room-signals';

export interface LongPollOptions {
  readonly reader: MessageReader;
  readonly signals: RoomSignals;
  /** Re-check the store this often while holding; Infinity where only the signal can bring news. */
  readonly checkMs: number;
  readonly now?: () => number;
  /** Told of each held poll when it ends: whether news ended it, and how long after its signal it answered. */
  readonly observe?: (held: HeldPoll) => void;
}

export interface HeldPoll {
  readonly outcome: 'news' | 'timeout' | 'closed';
  /** From the signal that woke it to its answer, when a signal in this process brought the news. */
  readonly wakeDelayMs: number | undefined;
}

export interface PollRequest {
  readonly room: string;
  readonly after: number;
  readonly limit: number;
  /** Hold up to this long while nothing is new; 0: answer at once. */
  readonly waitMs: number;
  /** The room state the client holds: a room that shows something else is news too. */
  readonly state?: string | undefined;
}

export interface LongPoll {
  poll(request: PollRequest): Promise<Page>;
  /** Polls holding now (they cost no work while they wait). */
  readonly holding: () => number;
}

/** What ends a hold: a message after the cursor, or a room that shows other than the client holds. */
const news = (page: Page, state: string | undefined): boolean =>
  page.messages.length > 0 || (state !== undefined && page.room !== undefined && page.room.state !== state);

export function createLongPoll({ reader, signals, checkMs, now = Date.now, observe }: LongPollOptions): LongPoll {
  let holding = 0;

  async function poll({ room, after, limit, waitMs, state }: PollRequest): Promise<Page> {
    const read = () => reader.readMessages(room, { kind: 'after', after, limit });
    if (waitMs <= 0) return read();
    const deadline = now() + waitMs;
    let held = false;
    /** When the signal that ended the last wait came. */
    let signalledAt: number | undefined;
    try {
      for (;;) {
        const wake = signals.subscribe(room);
        try {
          const page = await read();
          const closed = signals.isClosed;
          if (news(page, state) || closed || now() >= deadline) {
            if (held) {
              const outcome = news(page, state) ? 'news' : closed ? 'closed' : 'timeout';
              observe?.({
                outcome,
                wakeDelayMs: outcome === 'news' && signalledAt !== undefined ? now() - signalledAt : undefined,
              });
            }
            return page;
          }
          if (!held) {
            held = true;
            holding++;
          }
          const why = await wake.until(Math.min(deadline - now(), checkMs));
          if (why === 'timeout' && now() >= deadline) {
            // Nothing came: the last answer still holds (late at worst, never wrong), so no last read.
            observe?.({ outcome: 'timeout', wakeDelayMs: undefined });
            return page;
          }
          signalledAt = why === 'signal' ? wake.signalledAt() : undefined;
        } finally {
          wake.cancel();
        }
      }
    } finally {
      if (held) holding--;
    }
  }

  return { poll, holding: () => holding };
}
