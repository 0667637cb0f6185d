/**
 * The message log of the chat (the design is in this folder's README): per room, ids
 * 1, 2, 3 … with no gaps and no repeats, where id n is readable only after every id below it.
 */
import type { StoreClient } from '#aws/dynamo';
import { clientIdKey } from '#aws/table';
import { GroupCommit } from './group-commit';
import { KnownHeads } from './head';
import { readPage } from './read';
import type { Appended, NewMessage, Page, ReadRequest } from './types';

export type { Appended, Message, NewMessage, Page, ReadRequest } from './types';

export interface MessageReader {
  /** One page of a room, with one strongly consistent query and no write. */
  readMessages(room: string, request: ReadRequest): Promise<Page>;
}

export interface MessageLog extends MessageReader {
  /** Stores a message and answers with it; with a clientId, a repeat answers the first copy. */
  appendMessage(input: NewMessage): Promise<Appended>;
}

interface LogOptions {
  readonly store: StoreClient;
  readonly tableName: string;
}

/** The log's read side alone, for a process that may only read (the read function's role may only query). */
export function createMessageReader({ store, tableName }: LogOptions): MessageReader {
  return { readMessages: (room, request) => readPage(store, tableName, room, request) };
}

export function createMessageLog({ store, tableName }: LogOptions): MessageLog {
  const groupCommit = new GroupCommit({ store, tableName, heads: new KnownHeads() });
  /** Sends with a clientId that this process is writing now, so that an identical one waits for it. */
  const inFlight = new Map<string, Promise<Appended>>();

  return {
    async appendMessage(input) {
      if (input.clientId === undefined) return groupCommit.enqueue(input);
      const key = clientIdKey(input.room, input.uid, input.clientId);
      const earlier = inFlight.get(key);
      if (earlier) {
        try {
          return { message: (await earlier).message, created: false };
        } catch {
          // The earlier send failed; this one tries on its own.
        }
      }
      const attempt = groupCommit.enqueue(input);
      inFlight.set(key, attempt);
      try {
        return await attempt;
      } finally {
        if (inFlight.get(key) === attempt) inFlight.delete(key);
      }
    },
    ...createMessageReader({ store, tableName }),
  };
}
