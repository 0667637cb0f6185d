/**
 * The rules for every value a client sends. Each parser takes `unknown` straight from the
 * request and either returns a clean value or throws the documented 400.
 */
import { WAIT_LIMIT_S } from '#lib/config';
import type { ReadRequest } from '#chat/message-log';
import type { PresenceChange } from '#chat/presence';
import { badRequest } from './errors';

export const NAME_MAX = 32;
export const TEXT_MAX = 2000;
export const LIMIT_DEFAULT = 100;
export const LIMIT_MAX = 200;

export const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CURSOR = /^(0|[1-9][0-9]{0,15})$/;
/** C0 and C1 controls and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** Controls other than tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/** A UTF-16 surrogate without its partner cannot be stored as UTF-8. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Length as the API counts it: code points, not UTF-16 units. */
export const codePoints = (s: string): number => [...s].length;

export type NameProblem = 'not_unicode' | 'length' | 'control';

/** The rules for a name, shared with the page: the name as it will be kept, or what is wrong with it. */
export function checkName(value: string): { readonly name: string } | { readonly problem: NameProblem } {
  if (LONE_SURROGATE.test(value)) return { problem: 'not_unicode' };
  const name = value.normalize('NFC').trim();
  if (name.length === 0 || codePoints(name) > NAME_MAX) return { problem: 'length' };
  if (CONTROL.test(name)) return { problem: 'control' };
  return { name };
}

const NAME_PROBLEMS: Readonly<Record<NameProblem, string>> = {
  not_unicode: 'name must be valid Unicode text',
  length: `name must be 1 to ${NAME_MAX} characters`,
  control: 'name must not contain control characters',
};

export function parseName(value: unknown): string {
  if (value === undefined) throw badRequest('invalid_name', 'name is missing');
  if (typeof value !== 'string') throw badRequest('invalid_name', 'name must be a string');
  const checked = checkName(value);
  if ('problem' in checked) throw badRequest('invalid_name', NAME_PROBLEMS[checked.problem]);
  return checked.name;
}

/** Trailing white space is dropped; everything else is kept exactly as sent. */
export function parseText(value: unknown): string {
  if (value === undefined) throw badRequest('invalid_text', 'text is missing');
  if (typeof value !== 'string') throw badRequest('invalid_text', 'text must be a string');
  if (LONE_SURROGATE.test(value)) throw badRequest('invalid_text', 'text must be valid Unicode text');
  const text = value.trimEnd();
  if (text.length === 0 || codePoints(text) > TEXT_MAX) {
    throw badRequest('invalid_text', `text must be 1 to ${TEXT_MAX} characters`);
  }
  if (CONTROL_BUT_LINE_BREAKS.test(text)) {
    throw badRequest('invalid_text', 'text may contain line breaks and tabs but no other control characters');
  }
  return text;
}

export function parseRoom(value: unknown): string {
  if (typeof value !== 'string' || !ROOM.test(value)) {
    throw badRequest('invalid_room', 'room must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  }
  return value;
}

export function parseClientId(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !CLIENT_ID.test(value)) {
    throw badRequest('invalid_client_id', 'clientId must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  }
  return value;
}

function parseCursor(name: string, value: string, min: number): number {
  const n = CURSOR.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw badRequest('invalid_cursor', `${name} must be a whole number from ${min} to ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

/** A message's id in a path: a whole number from 1 (400 `invalid_cursor` otherwise). */
export function parseMessageId(value: unknown): number {
  return parseCursor('the message id', typeof value === 'string' ? value : '', 1);
}

/** One RGI emoji (a fully-qualified emoji, sequence or flag), as Unicode defines them. */
// biome-ignore lint/complexity/useRegexLiterals: the `v` flag needs a newer compile target than the project's in a literal
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** A reaction's emoji, from the path (already percent-decoded): exactly one RGI emoji. */
export function parseEmoji(value: unknown): string {
  if (typeof value !== 'string' || !ONE_EMOJI.test(value)) {
    throw badRequest('invalid_emoji', 'the reaction must be one emoji, percent-encoded in the path');
  }
  return value;
}

export type Format = 'json' | 'xml';

/** Query parameters of a read: `after` or `before` (not both), `limit`. */
export function parseReadRequest(query: Readonly<Record<string, string | undefined>>): ReadRequest {
  const { after, before } = query;
  let limit = LIMIT_DEFAULT;
  if (query.limit !== undefined) {
    limit = CURSOR.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= LIMIT_MAX)) {
      throw badRequest('invalid_limit', `limit must be a whole number from 1 to ${LIMIT_MAX}`);
    }
  }
  if (after !== undefined && before !== undefined) {
    throw badRequest('invalid_cursor', 'use either after or before, not both');
  }
  if (after !== undefined) return { kind: 'after', after: parseCursor('after', after, 0), limit };
  if (before !== undefined) return { kind: 'before', before: parseCursor('before', before, 1), limit };
  return { kind: 'newest', limit };
}

/** How long a poll may be held, and the room state the client holds (v2 long-polling). */
export interface PollWait {
  /** Whole seconds, 0 to 25. */
  readonly seconds: number;
  readonly state: string | undefined;
}

const WAIT = /^(0|[1-9][0-9]?)$/;
const STATE = /^[A-Za-z0-9_-]{1,64}$/;

/** `wait` (only together with `after`) and `state`; no `wait` is 0: answer at once. */
export function parseWait(query: Readonly<Record<string, string | undefined>>, read: ReadRequest): PollWait {
  const { wait, state } = query;
  if (state !== undefined && !STATE.test(state)) {
    throw badRequest('invalid_state', 'state must be 1 to 64 characters of A-Z a-z 0-9 _ -');
  }
  if (wait === undefined) return { seconds: 0, state };
  const seconds = WAIT.test(wait) ? Number(wait) : NaN;
  if (!(seconds >= 0 && seconds <= WAIT_LIMIT_S)) {
    throw badRequest('invalid_wait', `wait must be a whole number of seconds from 0 to ${WAIT_LIMIT_S}`);
  }
  if (read.kind !== 'after') throw badRequest('invalid_wait', 'wait goes only with after');
  return { seconds, state };
}

/** `?format=` wins over `Accept`; JSON unless XML is asked for. */
export function parseFormat(formatParam: string | undefined, accept: string | undefined): Format {
  if (formatParam !== undefined) {
    if (formatParam === 'json' || formatParam === 'xml') return formatParam;
    throw badRequest('invalid_format', 'format must be json or xml');
  }
  if (accept && /\b(application|text)\/xml\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)) {
    return 'xml';
  }
  return 'json';
}

/** A presence call's body: `{}`, `{"typing": true}`, `{"typing": false}` or `{"gone": true}`, and nothing else. */
export function parsePresence(value: unknown): Exclude<PresenceChange, 'sent'> {
  const body = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { '': 0 }) as Record<
    string,
    unknown
  >;
  const keys = Object.keys(body);
  if (keys.length === 0) return 'here';
  if (keys.length === 1 && typeof body.typing === 'boolean') return body.typing ? 'typing' : 'stopped';
  if (keys.length === 1 && body.gone === true) return 'gone';
  throw badRequest('invalid_presence', 'send {}, {"typing": true}, {"typing": false} or {"gone": true}');
}

const LINK_CODE = /^[A-Za-z0-9_-]{22}$/;

/** A device link's code (22 characters of A-Z a-z 0-9 _ -), given without a name. */
export function parseLinkCode(value: unknown, name: unknown): string {
  if (name !== undefined) throw badRequest('invalid_link', 'send either a name or a link, not both');
  if (typeof value !== 'string' || !LINK_CODE.test(value)) {
    throw badRequest('invalid_link', 'link must be the 22-character code of a device link');
  }
  return value;
}
