/** The shapes of the chat API (see the HTTP API reference), as the page uses them. */

// The wire shapes and limits are the server's own, so the page cannot drift from the API.
export type { ApiMessage as Message, ApiPage as MessagePage } from '#http/representation';
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
