/** How messages look on the wire: JSON for the API, and the classic XML message list. */
import type { Message, Page } from '#chat/message-log';
import type { RoomState } from '#chat/presence';

export interface ApiMessage {
  id: number;
  room: string;
  user: string;
  uid: string;
  text: string;
  ts: string;
  clientId?: string;
}

export function toApiMessage(m: Message): ApiMessage {
  return {
    id: m.id,
    room: m.room,
    user: m.user,
    uid: m.uid,
    text: m.text,
    ts: m.ts,
    ...(m.clientId !== undefined ? { clientId: m.clientId } : {}),
  };
}

/** The JSON answer of a read. */
export interface ApiPage {
  messages: ApiMessage[];
  lastId: number;
  hasMore: boolean;
  pollAfterMs: number;
  room?: RoomState;
}

export function pageBody(page: Page, pollAfterMs: number): ApiPage {
  return {
    messages: page.messages.map(toApiMessage),
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
 * The classic `<messagelist>`; the paging fields travel as attributes of the list, so a
 * classic client that reads only `<message>` elements is not disturbed.
 */
export function pageXml(page: Page, pollAfterMs: number): string {
  const rows = page.messages.map(
    (m) =>
      `  <message><id>${m.id}</id><user>${escapeXml(m.user)}</user>` +
      `<msg>${escapeXml(m.text)}</msg><ts>${m.ts}</ts><uid>${m.uid}</uid></message>\n`,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<messagelist lastId="${page.lastId}" hasMore="${page.hasMore}" pollAfterMs="${pollAfterMs}">\n` +
    rows.join('') +
    '</messagelist>\n'
  );
}
