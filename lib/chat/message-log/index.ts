/**
 * The message log of the chat (the design is in this folder's README): per room, ids
 * 1, 2, 3 … with no gaps and no repeats, where id n is readable only after every id below it.
 */
import type { StoreClient } from '#aws/dynamo';
import { clientIdKey } from '#aws/table';
import type { RoomSignals } from '../room-signals';
import { GroupCommit } from './group-commit';
import { KnownHeads } from './head';
import { readPage } from './read';
import { RoomFeeds } from './room-feeds';
import type { Appended, Message, NewMessage, Page, ReadRequest } from './types';

export type { Appended, Message, NewMessage, Page, ReadRequest } from './types';

export interface MessageReader {
  /** One page of a room: with one strongly consistent query and no write, or from memory where that is exact. */
  readMessages(room: string, request: ReadRequest): Promise<Page>;
}

export interface MessageLog extends MessageReader {
  /** Stores a message and answers with it; with a clientId, a repeat answers the first copy. */
  appendMessage(input: NewMessage): Promise<Appended>;
}

interface LogOptions {
  readonly store: StoreClient;
  readonly tableName: string;
  /** The clock the room state is read with. */
  readonly now?: () => number;
}

export interface WriterOptions extends LogOptions {
  /** This process is the only writer of the store: it may answer from what it knows (see room-feeds.ts). */
  readonly soleWriter: boolean;
  /** Signalled for each room that got messages, so held polls wake. */
  readonly signals: RoomSignals;
}

/** The log's read side alone, for a process that may only read (the read function's role may only query). */
export function createMessageReader({ store, tableName, now }: LogOptions): MessageReader {
  return { readMessages: (room, request) => readPage(store, tableName, room, request, now) };
}

export function createMessageLog({ store, tableName, soleWriter, signals, now }: WriterOptions): MessageLog {
  const feeds = soleWriter ? new RoomFeeds(store, tableName) : undefined;
  const appended = (room: string, messages: readonly Message[]) => {
    feeds?.appended(room, messages);
    signals.signal(room);
  };
  const groupCommit = new GroupCommit({ store, tableName, heads: new KnownHeads(), appended });
  /** Sends with a clientId that this process is writing now, so that an identical one waits for it. */
  const inFlight = new Map<string, Promise<Appended>>();
  const reader = feeds
    ? readFromFeeds(feeds, createMessageReader({ store, tableName, now }))
    : createMessageReader({ store, tableName, now });

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
    readMessages: reader.readMessages,
  };
}

/**
 * As the sole writer: a poll at the head is "nothing new" without a store read, and a poll
 * the tail covers (or a first visit it covers) is served from memory; anything else queries.
 */
function readFromFeeds(feeds: RoomFeeds, store: MessageReader): MessageReader {
  return {
    async readMessages(room, request) {
      if (request.kind === 'before') return store.readMessages(room, request);
      const head = await feeds.head(room);
      if (request.kind === 'after') {
        const messages = feeds.after(room, request.after, request.limit);
        if (messages === undefined) return store.readMessages(room, request);
        const lastId = messages.at(-1)?.id ?? request.after;
        return { messages, lastId, hasMore: lastId < head };
      }
      const messages = feeds.newest(room, request.limit);
      if (messages === undefined) return store.readMessages(room, request);
      return { messages, lastId: messages.at(-1)?.id ?? 0, hasMore: false };
    },
  };
}
