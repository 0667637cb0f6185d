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
 * The newest copy of each changed message among `updates` (in the log's order), by id: what a
 * batch of update entries leaves each target reading, so a burst of changes renders once.
 */
export function latestCopies(updates: readonly UpdateEntry[]): Map<number, Message> {
  const latest = new Map<number, Message>();
  for (const u of updates) {
    const held = latest.get(u.target);
    if (held === undefined || revOf(u.message) > revOf(held)) latest.set(u.target, u.message);
  }
  return latest;
}

/** Whether `uid` is among those the message shows as having reacted with `emoji`. */
export function reactedWith(m: Pick<Message, 'reactions'>, emoji: string, uid: string): boolean {
  return m.reactions?.some((r) => r.emoji === emoji && r.uids.includes(uid)) ?? false;
}
