/**
 * Presence kept in memory, by the sole writer of a store (the local server): every presence
 * call and message passes through this process, so memory is exact and costs no store
 * request at all. A change that alters what the room shows signals the room at once, and so
 * does time: a timer per room fires when someone expires or stops typing.
 */
import type { RoomSignals } from '../room-signals';
import type { Presence } from './index';
import {
  applyChange,
  isPresent,
  nextChangeAt,
  PRESENT_MS,
  type PresenceEntry,
  type RoomState,
  roomView,
} from './room-state';

/** People kept per room (the least recently seen is forgotten first); far above what a room shows. */
const MAX_PER_ROOM = 10_000;
/** Rooms with someone present that are kept. */
const MAX_ROOMS = 10_000;

interface Room {
  readonly entries: Map<string, PresenceEntry>;
  /** What the room shows, made once per change rather than once per poll. */
  view: RoomState;
  /** When time alone next changes the view (someone expires or stops typing). */
  nextAt: number;
  timer: NodeJS.Timeout | undefined;
}

const EMPTY: RoomState = roomView([], 0);

export class MemoryPresence implements Presence {
  private readonly rooms = new Map<string, Room>();
  private closed = false;

  constructor(
    private readonly signals: RoomSignals,
    private readonly now: () => number = Date.now,
  ) {}

  async change(room: string, user: { uid: string; name: string }, change: Parameters<Presence['change']>[2]) {
    if (this.closed) return;
    const now = this.now();
    let r = this.rooms.get(room);
    if (!r) {
      if (change === 'gone') return;
      r = { entries: new Map(), view: EMPTY, nextAt: Number.POSITIVE_INFINITY, timer: undefined };
      this.rooms.set(room, r);
      if (this.rooms.size > MAX_ROOMS) this.forget(this.rooms.keys().next().value as string);
    }
    const after = applyChange(r.entries.get(user.uid), user, change, now);
    // Delete first, so the map's order stays "least recently seen first".
    r.entries.delete(user.uid);
    if (after) r.entries.set(user.uid, after);
    if (r.entries.size > MAX_PER_ROOM) r.entries.delete(r.entries.keys().next().value as string);
    // A message signals its room itself once it is stored (the sender comes just before it), so
    // held polls wake once and find both the message and its sender no longer typing.
    this.settle(room, r, now, change !== 'sent');
  }

  /** The room as it shows now: the view made at the last change, unless a change by time is due (its timer may not have run yet). */
  view(room: string): RoomState {
    const r = this.rooms.get(room);
    if (!r) return EMPTY;
    const now = this.now();
    if (now >= r.nextAt) this.settle(room, r, now);
    return this.rooms.get(room) === r ? r.view : EMPTY;
  }

  /** Stops every timer (the process is stopping). */
  close(): void {
    this.closed = true;
    for (const room of [...this.rooms.keys()]) this.forget(room);
  }

  /** Drops whoever expired, signals the room if what it shows changed, and sets the timer for the next change. */
  private settle(room: string, r: Room, now: number, signal = true): void {
    for (const [uid, e] of r.entries) if (!isPresent(e, now)) r.entries.delete(uid);
    const view = roomView(r.entries.values(), now);
    const changed = view.state !== r.view.state;
    r.view = view;
    if (changed && signal) this.signals.signal(room);
    if (r.timer) clearTimeout(r.timer);
    r.timer = undefined;
    if (r.entries.size === 0) {
      this.rooms.delete(room);
      return;
    }
    const next = nextChangeAt(r.entries.values(), now) ?? now + PRESENT_MS;
    r.nextAt = next;
    // A millisecond late, so that at the timer's time the change has happened.
    r.timer = setTimeout(() => this.settle(room, r, this.now()), Math.max(0, next - now) + 1);
    r.timer.unref();
  }

  private forget(room: string): void {
    const r = this.rooms.get(room);
    if (r?.timer) clearTimeout(r.timer);
    this.rooms.delete(room);
  }
}
