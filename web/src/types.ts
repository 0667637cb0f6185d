/** The shapes of the chat API (see the HTTP API reference), as the page uses them. */

export interface Message {
  readonly id: number;
  readonly room: string;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  /** ISO 8601, set by the server */
  readonly ts: string;
  readonly clientId?: string;
}

export interface MessagePage {
  readonly messages: readonly Message[];
  readonly lastId: number;
  readonly hasMore: boolean;
  readonly pollAfterMs: number;
}

export interface Me {
  readonly name: string;
  readonly uid: string;
  /** ISO 8601 */
  readonly expiresAt: string;
}

/** The API's limits, mirrored so the page can explain them before the server refuses. */
export const NAME_MAX = 32;
export const TEXT_MAX = 2000;
export const ROOM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_ROOM = 'lobby';

/** Length as the server counts it: code points, not UTF-16 units. */
export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
