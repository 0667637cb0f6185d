/** The message log's own types: what goes in, what comes out, and what a reader may ask. */
import type { RoomState } from '../presence/room-state';

export interface NewMessage {
  readonly room: string;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  readonly clientId?: string;
}

export interface Message extends NewMessage {
  readonly id: number;
  /** ISO 8601, when the message was written. */
  readonly ts: string;
}

export interface Appended {
  readonly message: Message;
  /** false when the clientId had been sent before: the message is the one stored then. */
  readonly created: boolean;
}

export interface Page {
  readonly messages: readonly Message[];
  readonly lastId: number;
  readonly hasMore: boolean;
  /** The room's live state, read with the messages; absent from history pages and from a page that stops short of the head. */
  readonly room?: RoomState;
}

/** What a reader asks for: after a cursor (polling), before an id (history), or the newest. */
export type ReadRequest =
  | { readonly kind: 'after'; readonly after: number; readonly limit: number }
  | { readonly kind: 'before'; readonly before: number; readonly limit: number }
  | { readonly kind: 'newest'; readonly limit: number };
