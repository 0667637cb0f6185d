/**
 * What counts as unread: messages from someone else, never the reader's own. Only entries whose
 * `kind` is "message" (or absent, as from a v1 server) count; an update entry (`kind: "update"`:
 * an edit, a delete, a reaction) changes a message already counted, and a kind this page does
 * not know is not counted either.
 */
import { mentions } from './mentions';
import { isMessage } from './types';

/** A log entry as the page reads it; `kind` comes with API v2 message changes. */
export interface LogEntry {
  readonly id: number;
  readonly uid: string;
  readonly user: string;
  /** A message's text (an update entry has none of its own). */
  readonly text?: string;
  readonly kind?: string;
}

export interface Reader {
  readonly uid: string;
  readonly name: string;
}

export interface Tally<T extends LogEntry = LogEntry> {
  /** New messages from others. */
  readonly messages: T[];
  /** Those of them that mention the reader. */
  readonly mentioning: T[];
}

/** The entries that count as unread for `reader`, and those that mention them. */
export function tally<T extends LogEntry>(entries: readonly T[], reader: Reader): Tally<T> {
  const messages = entries.filter((e) => isMessage(e) && e.uid !== reader.uid);
  return { messages, mentioning: messages.filter((e) => mentions(e.text ?? '', reader.name)) };
}

/** The page's title with the unread count in front, as chat apps do: "(3) #lobby · Chat". */
export function badgedTitle(base: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${base}` : base;
}
