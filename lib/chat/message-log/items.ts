/** How a message is stored as an item of the table, and read back. */
import { clientIdKey, roomKey } from '#aws/table';
import type { Message } from './types';

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

export function toMessage(room: string, item: Record<string, unknown>): Message {
  return {
    id: Number(item.sk),
    room,
    user: String(item.user),
    uid: String(item.uid),
    text: String(item.text),
    ts: String(item.ts),
    ...(typeof item.clientId === 'string' ? { clientId: item.clientId } : {}),
  };
}
