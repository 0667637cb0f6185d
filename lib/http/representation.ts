/** How the log's entries look on the wire: JSON for the API, and the classic XML message list. */
import type { Entry, Message, Page, Reaction, UpdateEntry } from '#chat/message-log';
import type { RoomState } from '#chat/presence';

export interface ApiMessage {
  kind: 'message';
  id: number;
  room: string;
  user: string;
  uid: string;
  text: string;
  ts: string;
  clientId?: string;
  rev?: number;
  editedAt?: string;
  deleted?: true;
  reactions?: Reaction[];
}

export interface ApiUpdate {
  kind: 'update';
  id: number;
  room: string;
  user: string;
  uid: string;
  ts: string;
  target: number;
  message: ApiMessage;
}

export type ApiEntry = ApiMessage | ApiUpdate;

export function toApiMessage(m: Message): ApiMessage {
  return {
    kind: 'message',
    id: m.id,
    room: m.room,
    user: m.user,
    uid: m.uid,
    text: m.text,
    ts: m.ts,
    ...(m.clientId !== undefined ? { clientId: m.clientId } : {}),
    ...(m.rev !== undefined ? { rev: m.rev } : {}),
    ...(m.editedAt !== undefined ? { editedAt: m.editedAt } : {}),
    ...(m.deleted ? { deleted: true as const } : {}),
    ...(m.reactions && m.reactions.length > 0
      ? { reactions: m.reactions.map((r) => ({ emoji: r.emoji, count: r.count, uids: [...r.uids] })) }
      : {}),
  };
}

function toApiUpdate(u: UpdateEntry): ApiUpdate {
  return {
    kind: 'update',
    id: u.id,
    room: u.room,
    user: u.user,
    uid: u.uid,
    ts: u.ts,
    target: u.target,
    message: toApiMessage(u.message),
  };
}

export const toApiEntry = (e: Entry): ApiEntry => (e.kind === 'update' ? toApiUpdate(e) : toApiMessage(e));

/** The JSON answer of a read. */
export interface ApiPage {
  messages: ApiEntry[];
  lastId: number;
  hasMore: boolean;
  pollAfterMs: number;
  room?: RoomState;
}

export function pageBody(page: Page, pollAfterMs: number): ApiPage {
  return {
    messages: page.messages.map(toApiEntry),
    lastId: page.lastId,
    hasMore: page.hasMore,
    pollAfterMs,
    ...(page.room ? { room: page.room } : {}),
  };
}

// A literal carriage return would reach an XML reader as a line feed, so it travels as a
// character reference. U+FFFE and U+FFFF cannot appear in XML 1.0 at all, not even as
// references, so the XML shows U+FFFD in their place (the JSON keeps them).
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\ufffe': '\ufffd',
  '\uffff': '\ufffd',
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r\ufffe\uffff]/g, (c) => XML_ESCAPES[c]!);
}

/**
 * One `<message>` per entry, so that a classic client's `lastid` advances over update entries
 * too. An update entry adds `<kind>` and `<target>`, and its `<msg>` is the target's text as
 * the entry carries it (after that change; empty once the target is deleted). A deleted
 * message has an empty `<msg>` and `<deleted>true</deleted>`.
 */
function entryXml(e: Entry): string {
  const text = e.kind === 'update' ? e.message.text : e.text;
  const extra =
    e.kind === 'update'
      ? `<kind>update</kind><target>${e.target}</target>`
      : e.deleted
        ? '<deleted>true</deleted>'
        : '';
  return (
    `  <message><id>${e.id}</id><user>${escapeXml(e.user)}</user>` +
    `<msg>${escapeXml(text)}</msg><ts>${e.ts}</ts><uid>${e.uid}</uid>${extra}</message>\n`
  );
}

/**
 * The classic `<messagelist>`; the paging fields travel as attributes of the list, so a
 * classic client that reads only `<message>` elements is not disturbed.
 */
export function pageXml(page: Page, pollAfterMs: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<messagelist lastId="${page.lastId}" hasMore="${page.hasMore}" pollAfterMs="${pollAfterMs}">\n` +
    page.messages.map(entryXml).join('') +
    '</messagelist>\n'
  );
}
