/**
 * The client of the chat API. The session travels as a bearer token; cookies are left out
 * (`credentials: 'omit'`), so forgetting the token ends the session in this browser.
 */
import type { ErrorCode, Me, Message, MessagePage } from './types';

/** The server answered with an error: one of the API's codes, or `http_<status>` from something in between. */
export class ErrorAnswer extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | `http_${number}`,
    message: string,
    /** From Retry-After, for 429 and 503. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** The request never got an answer: no network, server down, or aborted. */
export class NetworkError extends Error {}

/**
 * A request that hangs longer than this is given up and counted as a failure; a poll the server
 * may hold gets its wait on top, so the page never gives up a hold the server keeps.
 */
const TIMEOUT_MS = 15_000;

let token: string | undefined;

export function useToken(next: string | undefined): void {
  token = next;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  timeoutMs = TIMEOUT_MS,
  /** Outlives the page (a request sent while the tab closes). */
  keepalive = false,
): Promise<{ status: number; body: T | undefined }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      keepalive,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : 'network error');
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const retryAfter = Number(response.headers.get('Retry-After'));
    throw new ErrorAnswer(
      response.status,
      typeof error?.code === 'string' ? (error.code as ErrorCode) : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText,
      Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
    );
  }
  if (response.status === 204) return { status: 204, body: undefined };
  if (parsed === undefined) throw new NetworkError('the answer was not JSON');
  return { status: response.status, body: parsed as T };
}

/** The body of an answer that always has one. */
export function bodyOf<T>(answer: { status: number; body: T | undefined }): T {
  if (answer.body === undefined) throw new NetworkError('the answer had no body');
  return answer.body;
}

export const roomPath = (room: string) => `/rooms/${encodeURIComponent(room)}/messages`;

export interface LoginResult extends Me {
  readonly token: string;
}

export async function login(name: string): Promise<LoginResult> {
  return bodyOf(await request<LoginResult>('POST', '/login', { name }));
}

/** Logs this device in as the person who made the device link (API v2 addition). */
export async function loginWithLink(code: string): Promise<LoginResult> {
  return bodyOf(await request<LoginResult>('POST', '/login', { link: code }));
}

/** A one-time code that logs another device in as this session's person. */
export async function createDeviceLink(): Promise<{ code: string; expiresAt: string }> {
  return bodyOf(await request<{ code: string; expiresAt: string }>('POST', '/session/link'));
}

/** Ends the session on the server too (API v2): the token is refused everywhere afterwards. */
export async function logout(): Promise<void> {
  await request('POST', '/logout');
}

export async function currentSession(): Promise<Me> {
  return bodyOf(await request<Me>('GET', '/session'));
}

export type Read =
  | {
      readonly after: number;
      /** Seconds (0–25) the server may hold the poll while nothing is new after `after`. */
      readonly wait?: number;
      /** The room state the page holds (API v2), so that a change of it ends the hold. */
      readonly state?: string;
    }
  | { readonly before: number }
  | { readonly newest: true };

export async function readMessages(
  room: string,
  read: Read,
  limit: number,
  signal?: AbortSignal,
): Promise<MessagePage> {
  let query = 'before' in read ? `before=${read.before}&` : '';
  let wait = 0;
  if ('after' in read) {
    wait = read.wait ?? 0;
    query = `after=${read.after}&${wait > 0 ? `wait=${wait}&` : ''}`;
    if (read.state !== undefined) query += `state=${encodeURIComponent(read.state)}&`;
  }
  const path = `${roomPath(room)}?${query}limit=${limit}`;
  const body = bodyOf(await request<MessagePage>('GET', path, undefined, signal, TIMEOUT_MS + wait * 1000));
  if (!Array.isArray(body.messages) || typeof body.lastId !== 'number') throw new NetworkError('unexpected answer');
  return body;
}

export async function sendMessage(room: string, text: string, clientId: string): Promise<Message> {
  return bodyOf(await request<Message>('POST', roomPath(room), { text, clientId }));
}

/** What the page says of its user in a room (API v2): here, typing, stopped typing, or gone. */
export type PresenceBody = Record<string, never> | { readonly typing: boolean } | { readonly gone: true };

/** `keepalive`: sent even as the tab closes (for `gone`). */
export async function updatePresence(room: string, body: PresenceBody, keepalive = false): Promise<void> {
  await request('POST', `/rooms/${encodeURIComponent(room)}/presence`, body, undefined, TIMEOUT_MS, keepalive);
}
