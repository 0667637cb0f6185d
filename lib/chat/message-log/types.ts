/** The message log's own types: what goes in, what comes out, and what a reader may ask. */
import type { RoomState } from '../presence/room-state';

export interface NewMessage {
  readonly room: string;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  readonly clientId?: string;
}

/** One emoji on a message: how many reacted with it, and the first 20 of them. */
export interface Reaction {
  readonly emoji: string;
  readonly count: number;
  readonly uids: readonly string[];
}

/** A message as it reads now (or, in an update entry, as it read after that change). */
export interface Message extends NewMessage {
  readonly kind?: 'message';
  readonly id: number;
  /** ISO 8601, when the message was written. */
  readonly ts: string;
  /** How many changes it has had; absent while it has had none. */
  readonly rev?: number;
  /** ISO 8601, its last edit. */
  readonly editedAt?: string;
  /** Deleted: its text is "" and it has no reactions. */
  readonly deleted?: true;
  /** In the order of each emoji's first reaction; absent when there is none. */
  readonly reactions?: readonly Reaction[];
}

/** An entry of the log that records a change to an earlier message (`target`), at the next id. */
export interface UpdateEntry {
  readonly kind: 'update';
  readonly id: number;
  readonly room: string;
  /** Who made the change. */
  readonly user: string;
  readonly uid: string;
  readonly ts: string;
  readonly target: number;
  /** The target as it read after this change. */
  readonly message: Message;
}

/** What the log holds at an id. */
export type Entry = Message | UpdateEntry;

export const isUpdate = (entry: Entry): entry is UpdateEntry => entry.kind === 'update';

export interface Appended {
  readonly message: Message;
  /** false when the clientId had been sent before: the message is the one stored then. */
  readonly created: boolean;
}

/** A change to a message, as its author (edit, delete) or anyone (reactions) asks for it. */
export type Change =
  | { readonly kind: 'edit'; readonly text: string }
  | { readonly kind: 'delete' }
  | { readonly kind: 'react'; readonly emoji: string; readonly on: boolean };

export interface ChangeRequest {
  readonly room: string;
  /** The message to change. */
  readonly id: number;
  /** Who asks. */
  readonly user: string;
  readonly uid: string;
  readonly change: Change;
}

/** Why a change was refused. */
export type ChangeRefusal = 'not_found' | 'forbidden' | 'message_deleted' | 'reaction_limit';

export type ChangeResult =
  /** The change is stored, with its update entry. */
  | { readonly kind: 'changed'; readonly message: Message; readonly entry: UpdateEntry }
  /** The change would alter nothing: nothing was written. */
  | { readonly kind: 'same'; readonly message: Message }
  | { readonly kind: 'refused'; readonly reason: ChangeRefusal };

export interface Page {
  readonly messages: readonly Entry[];
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
