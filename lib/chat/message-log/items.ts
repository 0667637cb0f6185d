/**
 * How the log's entries are stored as items of the table, and read back.
 *
 * A message item holds, besides what was sent: `rev` (its changes so far), `editedAt`,
 * `deleted`, one string set per emoji (`r/<emoji>`, elements `<entry id>:<uid>`, so that a
 * reaction is one atomic ADD or DELETE and its entry id gives the order), `entries` (the
 * update entries that carry its text, for a delete to empty them too) and `changeId` (marks
 * the last change, to recognise it when a retried request had already succeeded).
 *
 * An update entry holds `kind: "update"`, `target`, who changed it, and `message`: the target
 * as it read after the change.
 */
import { clientIdKey, roomKey } from '#aws/table';
import { viewOf, type MessageState } from './message-state';
import type { Entry, Message, Reaction, UpdateEntry } from './types';

export interface MessageItem {
  readonly pk: string;
  readonly sk: number;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  readonly ts: string;
  readonly clientId: string | undefined;
  /** Marks the process's write, to recognise it when a retried request had already succeeded. */
  readonly writeId: string;
}

export const REACTION_PREFIX = 'r/';
export const reactionAttribute = (emoji: string): string => `${REACTION_PREFIX}${emoji}`;
export const reactionElement = (entryId: number, uid: string): string => `${entryId}:${uid}`;

export function messageItem(m: Message, writeId: string): MessageItem {
  return {
    pk: roomKey(m.room),
    sk: m.id,
    user: m.user,
    uid: m.uid,
    text: m.text,
    ts: m.ts,
    clientId: m.clientId,
    writeId,
  };
}

/** The item that records a send's clientId: it points at the message's id. */
export function clientIdItem(m: Message & { readonly clientId: string }, writeId: string) {
  return { pk: clientIdKey(m.room, m.uid, m.clientId), sk: 0, id: m.id, writeId };
}

export function updateEntryItem(entry: UpdateEntry, writeId: string) {
  const { room: _room, ...message } = entry.message;
  return {
    pk: roomKey(entry.room),
    sk: entry.id,
    kind: 'update',
    target: entry.target,
    user: entry.user,
    uid: entry.uid,
    ts: entry.ts,
    message,
    writeId,
  };
}

export const isUpdateItem = (item: Record<string, unknown>): boolean => item.kind === 'update';

/** Whichever entry the item holds. */
export function toEntry(room: string, item: Record<string, unknown>): Entry {
  if (isUpdateItem(item)) {
    const snapshot = (item.message ?? {}) as Record<string, unknown>;
    return {
      kind: 'update',
      id: Number(item.sk),
      room,
      user: String(item.user),
      uid: String(item.uid),
      ts: String(item.ts),
      target: Number(item.target),
      message: snapshotMessage(room, snapshot),
    };
  }
  return toMessage(room, item);
}

/** A message item as the message reads now. */
export function toMessage(room: string, item: Record<string, unknown>): Message {
  return viewOf(toState(room, item));
}

/** A message item as a change needs it. */
export function toState(room: string, item: Record<string, unknown>): MessageState {
  const message = messageFields(room, Number(item.sk), item);
  const entries = item.entries instanceof Set ? [...(item.entries as Set<number>)].map(Number) : [];
  return { message, rev: message.rev ?? 0, reactions: reactionsOf(item), entries: entries.sort((a, b) => a - b) };
}

function reactionsOf(item: Record<string, unknown>): Map<string, Map<string, number>> {
  const reactions = new Map<string, Map<string, number>>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(REACTION_PREFIX) || !(value instanceof Set)) continue;
    const who = new Map<string, number>();
    for (const element of value as Set<string>) {
      const at = element.indexOf(':');
      who.set(element.slice(at + 1), Number(element.slice(0, at)));
    }
    reactions.set(name.slice(REACTION_PREFIX.length), who);
  }
  return reactions;
}

/** The message an update entry carries, as stored in it. */
function snapshotMessage(room: string, m: Record<string, unknown>): Message {
  const reactions = Array.isArray(m.reactions)
    ? (m.reactions as Record<string, unknown>[]).map(
        (r): Reaction => ({ emoji: String(r.emoji), count: Number(r.count), uids: (r.uids as string[]) ?? [] }),
      )
    : [];
  return { ...messageFields(room, Number(m.id), m), ...(reactions.length > 0 ? { reactions } : {}) };
}

/** A message's fields but its reactions, as a message item and an update entry's copy both store them. */
function messageFields(room: string, id: number, m: Record<string, unknown>): Omit<Message, 'reactions'> {
  return {
    id,
    room,
    user: String(m.user),
    uid: String(m.uid),
    text: String(m.text ?? ''),
    ts: String(m.ts),
    ...(typeof m.clientId === 'string' ? { clientId: m.clientId } : {}),
    ...(typeof m.rev === 'number' && m.rev > 0 ? { rev: m.rev } : {}),
    ...(typeof m.editedAt === 'string' ? { editedAt: m.editedAt } : {}),
    ...(m.deleted === true ? { deleted: true as const } : {}),
  };
}
