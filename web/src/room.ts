/**
 * The room is in the URL's fragment (`#lobby`), so a link opens it, the back button works,
 * and the name of a private room never reaches a server log as part of the page's URL.
 */
import { DEFAULT_ROOM, ROOM_PATTERN } from './types';

export function roomFromHash(hash: string): string {
  let name = hash.replace(/^#/, '');
  try {
    name = decodeURIComponent(name);
  } catch {
    return DEFAULT_ROOM;
  }
  return ROOM_PATTERN.test(name) ? name : DEFAULT_ROOM;
}

export function isValidRoom(name: string): boolean {
  return ROOM_PATTERN.test(name);
}

/** 128 random bits as 22 base64url characters: a name nobody can guess. */
export function privateRoomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return base64url(bytes);
}

export function inviteLink(room: string, location: Pick<Location, 'origin' | 'pathname'>): string {
  return `${location.origin}${location.pathname}#${room}`;
}

/** A clientId for an idempotent send: 120 random bits. */
export function newClientId(): string {
  return `c-${base64url(crypto.getRandomValues(new Uint8Array(15)))}`;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
