/**
 * The rooms this browser has joined, in the order they were joined, kept in localStorage: for
 * each, how far the reader has read and what is unread. Opening a room joins it; leaving it
 * takes it off the list. Logging out forgets the list (the name of a private room is its key).
 */
import { isValidRoom } from './room';

export interface JoinedRoom {
  readonly name: string;
  /** The highest id this page has counted (null: not known yet; the next check only learns it). */
  readonly knownId: number | null;
  /** The highest id the reader has seen with the tab visible (0: none). */
  readonly seenId: number;
  /** Messages from others after seenId. */
  readonly unread: number;
  /** Of those, the ones that mention the reader. */
  readonly mentions: number;
  /** Notify of every message in this room, not only mentions. */
  readonly notifyAll: boolean;
}

export type RoomChange = Partial<Omit<JoinedRoom, 'name'>>;

export const ROOMS_KEY = 'chat.rooms';
/** More than a sidebar can show usefully; the oldest joined go first. */
export const MAX_ROOMS = 50;

const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The stored list, with anything damaged or unknown left out. */
export function parseRooms(raw: string | null): JoinedRoom[] {
  if (raw === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const rooms: JoinedRoom[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    if (typeof r.name !== 'string' || !isValidRoom(r.name) || rooms.some((x) => x.name === r.name)) continue;
    rooms.push({
      name: r.name,
      knownId: r.knownId === null ? null : count(r.knownId),
      seenId: count(r.seenId),
      unread: count(r.unread),
      mentions: count(r.mentions),
      notifyAll: r.notifyAll === true,
    });
  }
  return rooms.slice(-MAX_ROOMS);
}

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export class RoomList {
  private rooms: JoinedRoom[];
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly storage: Store | undefined) {
    this.rooms = parseRooms(this.stored());
  }

  /**
   * Another tab of this browser changed the stored list: this page takes it, so that its next
   * change is made to the list as it now is, and never writes back a stale copy over a room
   * joined, left or counted there.
   */
  reload(): void {
    const rooms = parseRooms(this.stored());
    if (JSON.stringify(rooms) === JSON.stringify(this.rooms)) return;
    this.rooms = rooms;
    this.tell();
  }

  /** Told after every change. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  all(): readonly JoinedRoom[] {
    return this.rooms;
  }

  get(name: string): JoinedRoom | undefined {
    return this.rooms.find((r) => r.name === name);
  }

  /** Adds the room (at the end) unless it is there already; returns it. */
  join(name: string): JoinedRoom {
    const there = this.get(name);
    if (there) return there;
    const room: JoinedRoom = { name, knownId: null, seenId: 0, unread: 0, mentions: 0, notifyAll: false };
    this.rooms = [...this.rooms, room].slice(-MAX_ROOMS);
    this.changed();
    return room;
  }

  leave(name: string): void {
    if (!this.get(name)) return;
    this.rooms = this.rooms.filter((r) => r.name !== name);
    this.changed();
  }

  update(name: string, change: RoomChange): void {
    const room = this.get(name);
    if (!room) return;
    const next = { ...room, ...change };
    if ((Object.keys(next) as (keyof JoinedRoom)[]).every((k) => next[k] === room[k])) return;
    this.rooms = this.rooms.map((r) => (r.name === name ? next : r));
    this.changed();
  }

  /** Counts what came in a room up to `throughId`: adds to its unread and mention counts, and that id is known. */
  add(name: string, unread: number, mentions: number, throughId: number): void {
    const room = this.get(name);
    if (!room) return;
    this.update(name, {
      unread: room.unread + unread,
      mentions: room.mentions + mentions,
      knownId: Math.max(room.knownId ?? 0, throughId),
    });
  }

  totalUnread(): number {
    return this.rooms.reduce((sum, r) => sum + r.unread, 0);
  }

  /** Forgets every room, here and in storage. */
  clear(): void {
    this.rooms = [];
    try {
      this.storage?.removeItem(ROOMS_KEY);
    } catch {
      // Nothing stored, nothing to forget.
    }
    this.tell();
  }

  private tell(): void {
    for (const listener of this.listeners) listener();
  }

  private stored(): string | null {
    try {
      return this.storage?.getItem(ROOMS_KEY) ?? null;
    } catch {
      // Storage may be disabled: the list then lasts for this page only.
      return null;
    }
  }

  private changed(): void {
    try {
      this.storage?.setItem(ROOMS_KEY, JSON.stringify(this.rooms));
    } catch {
      // Without storage the list lasts until the page is closed.
    }
    this.tell();
  }
}
