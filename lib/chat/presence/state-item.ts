/**
 * The room's state item: one item in the room's partition, at a sort key above every message
 * id, so that the query of a poll (`sk > after`) reads it together with the new messages.
 *
 * Per person it holds (attribute names are the uid, which is `u_` and 16 hex digits):
 *
 * | attribute   | value            | written by                                          |
 * |-------------|------------------|-----------------------------------------------------|
 * | `<uid>`     | `[name, seenAt]` | every presence call and message                     |
 * | `<uid>/a`   | activeAt         | arrival (if absent) and every message               |
 * | `<uid>/t`   | typingUntil      | `typing: true`; removed by `typing: false`, `gone`, a message |
 *
 * Beside them, `v` counts the writes (ADD), so a process can tell the newer of two answers.
 * Each call writes only its own attributes, so concurrent callers never lose each other's
 * presence, and none needs a read first. Who has expired is removed by later writers (see
 * stored-presence.ts), which keeps the item within one read unit.
 */
import type { PresenceEntry } from './room-state';

/** Above every message id (ids are safe integers, and no room reaches this one). */
export const STATE_SK = Number.MAX_SAFE_INTEGER;

const UID = /^u_[0-9a-f]{16}$/;
const ACTIVE = '/a';
const TYPING = '/t';

/** Counts the item's writes, so that a process can tell the newer of two answers. */
export const VERSION_ATTRIBUTE = 'v';

export const seenAttribute = (uid: string): string => uid;
export const activeAttribute = (uid: string): string => uid + ACTIVE;
export const typingAttribute = (uid: string): string => uid + TYPING;

/** The people in a state item as read from the store. */
export function entriesOf(item: Readonly<Record<string, unknown>> | undefined): PresenceEntry[] {
  if (!item) return [];
  const entries: PresenceEntry[] = [];
  for (const [key, value] of Object.entries(item)) {
    if (!UID.test(key) || !Array.isArray(value)) continue;
    const [name, seenAt] = value as unknown[];
    if (typeof name !== 'string' || typeof seenAt !== 'number') continue;
    const activeAt = item[activeAttribute(key)];
    const typingUntil = item[typingAttribute(key)];
    entries.push({
      uid: key,
      name,
      seenAt,
      activeAt: typeof activeAt === 'number' ? activeAt : seenAt,
      typingUntil: typeof typingUntil === 'number' ? typingUntil : 0,
    });
  }
  return entries;
}

/**
 * Bytes an entry takes in the item, as DynamoDB counts them: each attribute's name plus its
 * value (a string's UTF-8 bytes; a number about one byte per two digits plus one; a list
 * three bytes plus one per element).
 */
export function entryBytes(e: PresenceEntry): number {
  const number = (n: number) => Math.ceil(String(Math.round(n)).length / 2) + 1;
  const seen = e.uid.length + 3 + 2 + Buffer.byteLength(e.name) + number(e.seenAt);
  const active = e.uid.length + ACTIVE.length + number(e.activeAt);
  const typing = e.typingUntil > 0 ? e.uid.length + TYPING.length + number(e.typingUntil) : 0;
  return seen + active + typing;
}

/** The item's keys and expiry attribute, with room for the longest room name. */
export const ITEM_OVERHEAD_BYTES = 2 + 5 + 64 + 2 + 9 + 'expiresAt'.length + 6 + VERSION_ATTRIBUTE.length + 8;
