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
import { decide } from './message-state';
import { scrubAheadOfDelete } from './scrub';
import { readFirstCopy, readMessageState } from './stored';
import { STATE_SK } from '../presence/state-item';
import type { Appended, ChangeRequest, ChangeResult, Entry, NewMessage, Page, ReadRequest } from './types';

export type {
  Appended,
  Change,
  ChangeRefusal,
  ChangeRequest,
  ChangeResult,
  Entry,
  Message,
  NewMessage,
  Page,
  Reaction,
  ReadRequest,
  UpdateEntry,
} from './types';
export { isUpdate } from './types';

export interface MessageReader {
  /** One page of a room: with one strongly consistent query and no write, or from memory where that is exact. */
  readMessages(room: string, request: ReadRequest): Promise<Page>;
}

export interface MessageLog extends MessageReader {
  /**
   * Stores a message and answers with it; with a clientId, a repeat answers the first copy.
   * `admit` (the send limit) runs before a new message is written and refuses it by throwing.
   * A retry is not a new message: a refused send whose clientId was stored before answers the
   * first copy instead (the store reads that look for it are made only then). An identical send
   * that arrives while one is being admitted or written in this process waits for it.
   */
  appendMessage(input: NewMessage, admit?: () => Promise<void>): Promise<Appended>;
  /**
   * Edits, deletes or reacts to a message, with its update entry at the next id in the same
   * transaction. The message is read first (one strongly consistent read) to decide: a change
   * refused or that would alter nothing writes nothing and skips `admit` (the send limit).
   */
  changeMessage(request: ChangeRequest, admit?: () => Promise<void>): Promise<ChangeResult>;
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
  const appended = (room: string, entries: readonly Entry[]) => {
    feeds?.appended(room, entries);
    signals.signal(room);
  };
  const groupCommit = new GroupCommit({ store, tableName, heads: new KnownHeads(), appended });
  /** Sends with a clientId that this process is admitting or writing now, so that an identical one waits for it. */
  const inFlight = new Map<string, Promise<Appended>>();
  const reader = feeds
    ? readFromFeeds(feeds, createMessageReader({ store, tableName, now }))
    : createMessageReader({ store, tableName, now });

  /** Admits and writes a send, or answers the first copy of its clientId when it is refused. */
  const admitThenWrite = async (input: NewMessage & { clientId: string }, admit?: () => Promise<void>) => {
    try {
      await admit?.();
    } catch (refusal) {
      const first = await readFirstCopy(store, tableName, input);
      if (first) return { message: first, created: false };
      throw refusal;
    }
    return groupCommit.enqueue(input);
  };

  return {
    async appendMessage(input, admit) {
      const { clientId } = input;
      if (clientId === undefined) {
        await admit?.();
        return groupCommit.enqueue(input);
      }
      const key = clientIdKey(input.room, input.uid, clientId);
      const earlier = inFlight.get(key);
      if (earlier) {
        try {
          return { message: (await earlier).message, created: false };
        } catch {
          // The earlier send failed; this one tries on its own.
        }
      }
      const attempt = admitThenWrite({ ...input, clientId }, admit);
      inFlight.set(key, attempt);
      try {
        return await attempt;
      } finally {
        if (inFlight.get(key) === attempt) inFlight.delete(key);
      }
    },
    async changeMessage(request, admit) {
      const found =
        request.id < STATE_SK ? await readMessageState(store, tableName, request.room, request.id) : undefined;
      const decision = decide(found, request.uid, request.change);
      if (decision.kind !== 'write') return decision;
      await admit?.();
      return groupCommit.change(request, await scrubAheadOfDelete(store, tableName, request, decision.state));
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
