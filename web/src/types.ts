/** The shapes of the chat API (see the HTTP API reference), as the page uses them. */

// The wire shapes and limits are the server's own, so the page cannot drift from the API.
export type {
  ApiEntry as Entry,
  ApiMessage as Message,
  ApiPage as MessagePage,
  ApiUpdate as UpdateEntry,
} from '#http/representation';
import type { ApiEntry, ApiMessage, ApiUpdate } from '#http/representation';

/**
 * A message entry of the log: `kind` "message", or none (a v1 server sends none). Never an
 * update entry, nor a kind this page does not know yet.
 */
export const isMessage = (e: ApiEntry | { readonly kind?: unknown }): e is ApiMessage =>
  e.kind === undefined || e.kind === 'message';

/** An update entry: a change to an earlier message (API v2). */
export const isUpdate = (e: ApiEntry): e is ApiUpdate => e.kind === 'update';
export type { ErrorCode } from '#http/error-codes';
export type { PresentPerson, RoomState } from '#chat/presence/room-state';
export { checkName, codePoints, NAME_MAX, ROOM as ROOM_PATTERN, TEXT_MAX } from '#http/validation';

export interface Me {
  readonly name: string;
  readonly uid: string;
  /** ISO 8601 */
  readonly expiresAt: string;
}

export const DEFAULT_ROOM = 'lobby';
