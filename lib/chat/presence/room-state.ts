/**
 * The room's live state, as a pure function of who has been seen and when: who is present,
 * who is typing, in which order, and the opaque `state` value that changes exactly when what
 * the room shows changes. Both keepers of presence (in memory, in the store) hold the same
 * entries and answer through `roomView`, so they cannot disagree on the rules.
 */
import { createHash } from 'node:crypto';

/** Present for this long after the last presence call or message. */
export const PRESENT_MS = 60_000;
/** Typing for this long after `typing: true`. */
export const TYPING_MS = 6_000;
/** People listed in `present`; `presentCount` counts everyone. */
export const SHOWN_MAX = 50;

/** What is known of one person in one room. Times are epoch milliseconds. */
export interface PresenceEntry {
  readonly uid: string;
  readonly name: string;
  /** The last presence call or message: present until seenAt + PRESENT_MS. */
  readonly seenAt: number;
  /** Arrival or last message: the order of the list (a refresh does not move anyone). */
  readonly activeAt: number;
  /** Typing until then; 0 when not typing. */
  readonly typingUntil: number;
}

/** What a presence call says: here (`{}`), typing, stopped typing, gone; and a message sent. */
export type PresenceChange = 'here' | 'typing' | 'stopped' | 'gone' | 'sent';

export interface PresentPerson {
  readonly uid: string;
  readonly name: string;
  readonly typing: boolean;
}

export interface RoomState {
  readonly state: string;
  readonly presentCount: number;
  readonly present: readonly PresentPerson[];
}

export const isPresent = (e: PresenceEntry, now: number): boolean => e.seenAt + PRESENT_MS > now;
export const isTyping = (e: PresenceEntry, now: number): boolean => e.typingUntil > now && isPresent(e, now);

/** The person's entry after a change at `now`, or undefined when they are gone. */
export function applyChange(
  before: PresenceEntry | undefined,
  user: { readonly uid: string; readonly name: string },
  change: PresenceChange,
  now: number,
): PresenceEntry | undefined {
  if (change === 'gone') return undefined;
  const here = before !== undefined && isPresent(before, now);
  const activeAt = change === 'sent' || !here ? now : before.activeAt;
  const typingUntil =
    change === 'typing' ? now + TYPING_MS : change === 'here' && here && isTyping(before, now) ? before.typingUntil : 0;
  return { uid: user.uid, name: user.name, seenAt: now, activeAt, typingUntil };
}

/** Typing first, then the most recently active; the uid breaks ties so the order is total. */
export function byPriority(now: number): (a: PresenceEntry, b: PresenceEntry) => number {
  return (a, b) =>
    Number(isTyping(b, now)) - Number(isTyping(a, now)) ||
    b.activeAt - a.activeAt ||
    (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
}

export function roomView(entries: Iterable<PresenceEntry>, now: number): RoomState {
  const live = [...entries].filter((e) => isPresent(e, now)).sort(byPriority(now));
  const present = live.slice(0, SHOWN_MAX).map((e) => ({ uid: e.uid, name: e.name, typing: isTyping(e, now) }));
  return { state: stateToken(live.length, present), presentCount: live.length, present };
}

/** 96 bits of a hash of exactly what the room shows: equal views, equal values. */
function stateToken(count: number, present: readonly PresentPerson[]): string {
  const hash = createHash('sha256').update(String(count));
  for (const p of present) hash.update(`\n${p.uid}\t${p.typing ? 1 : 0}\t${p.name}`);
  return hash.digest('base64url').slice(0, 16);
}

/** When the view can next change by time alone (someone expires or stops typing); undefined: never. */
export function nextChangeAt(entries: Iterable<PresenceEntry>, now: number): number | undefined {
  let next = Number.POSITIVE_INFINITY;
  for (const e of entries) {
    if (!isPresent(e, now)) continue;
    next = Math.min(next, e.seenAt + PRESENT_MS);
    if (isTyping(e, now)) next = Math.min(next, e.typingUntil);
  }
  return Number.isFinite(next) ? next : undefined;
}
