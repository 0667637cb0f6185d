/**
 * The signed-in user, kept in localStorage so the session survives a reload. There is no
 * logout endpoint: logging out forgets the token here (it stays valid until it expires).
 */
import type { Me } from './types';

export interface StoredSession extends Me {
  readonly token: string;
}

const KEY = 'chat.session';
const LAST_NAME_KEY = 'chat.lastName';

export function loadSession(now = Date.now()): StoredSession | undefined {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return undefined;
  }
  if (raw === null) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (
      typeof s.token === 'string' &&
      typeof s.name === 'string' &&
      typeof s.uid === 'string' &&
      typeof s.expiresAt === 'string'
    ) {
      if (Date.parse(s.expiresAt) > now) return s as StoredSession;
    }
  } catch {
    // A damaged entry is treated as no session.
  }
  forgetSession();
  return undefined;
}

export function saveSession(session: StoredSession): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(session));
    localStorage.setItem(LAST_NAME_KEY, session.name);
  } catch {
    // Without storage the session lasts until the page is closed.
  }
}

export function forgetSession(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
}

/** The name used last time, to fill in the login form. */
export function lastName(): string {
  try {
    return localStorage.getItem(LAST_NAME_KEY) ?? '';
  } catch {
    return '';
  }
}
