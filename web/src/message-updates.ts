/**
 * Which change to a message the page should show (API v2, "Changing messages"): every change
 * raises the message's `rev`, and an entry or answer may carry the message as it read before
 * the one already shown (a newest read holds both the message as it reads now and the update
 * entries that led there; an answer may come after the poll that brought a later change). So a
 * copy is shown only when its rev is higher than the one held, and the page never goes back.
 */
import type { Message, UpdateEntry } from './types';

/** A message that has never changed has no rev: it reads as rev 0. */
export const revOf = (m: Pick<Message, 'rev'>): number => m.rev ?? 0;

/** `next` should replace `held` on the page. */
export const isNewer = (held: Pick<Message, 'rev'> | undefined, next: Pick<Message, 'rev'>): boolean =>
  held !== undefined && revOf(next) > revOf(held);

/**
 * The newest entry of each changed message among `updates` (in the log's order), by target id:
 * what a batch of update entries leaves each target reading, so a burst of changes renders once.
 */
export function newestEntries(updates: readonly UpdateEntry[]): Map<number, UpdateEntry> {
  const newest = new Map<number, UpdateEntry>();
  for (const u of updates) {
    const seen = newest.get(u.target);
    if (seen === undefined || revOf(u.message) > revOf(seen.message)) newest.set(u.target, u);
  }
  return newest;
}

/** Whether `uid` is among those the message shows as having reacted with `emoji`. */
export function reactedWith(m: Pick<Message, 'reactions'>, emoji: string, uid: string): boolean {
  return m.reactions?.some((r) => r.emoji === emoji && r.uids.includes(uid)) ?? false;
}

/** An edit or a delete by someone else, as a screen reader is told of it. */
export interface NotableChange {
  readonly kind: 'edited' | 'deleted';
  /** Who made the change. */
  readonly user: string;
  /** The message as it reads after it. */
  readonly message: Message;
}

/**
 * What others changed among the messages shown: of the newest entries (newestEntries), those
 * newer than the copy held that edit its text or delete it. Reactions and one's own changes
 * are not told (one's own are seen as they are made; reactions would talk over the room).
 */
export function notableChanges(
  newest: ReadonlyMap<number, UpdateEntry>,
  held: (id: number) => Message | undefined,
  myUid: string,
): NotableChange[] {
  const told: NotableChange[] = [];
  for (const u of newest.values()) {
    const shown = held(u.target);
    if (u.uid === myUid || shown === undefined || !isNewer(shown, u.message) || shown.deleted) continue;
    if (u.message.deleted) told.push({ kind: 'deleted', user: u.user, message: u.message });
    else if (u.message.text !== shown.text) told.push({ kind: 'edited', user: u.user, message: u.message });
  }
  return told;
}
