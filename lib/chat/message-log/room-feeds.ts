/**
 * What the only writer of a store knows of each room: its exact head and its newest messages.
 *
 * Only a process that is the sole writer of its store may use this (the local server with
 * its own embedded DynamoDB; see WaitConfig.soleWriter): every message then passes through
 * its own message log, which reports each append here once the store has acknowledged it.
 * So a poll whose cursor is at the head can be answered "nothing new" with no store read, and
 * a poll a little behind can be served from the tail. A head is learnt once per room, by one
 * consistent query of its newest messages, and only ever grows; anything that does not fit (an id that skips ahead)
 * makes the room forgotten, so that it is learnt again from the store: the feed can be late
 * or absent, never ahead of the store.
 */
import type { StoreClient } from '#aws/dynamo';
import { readPage } from './read';
import { emptied } from './message-state';
import type { Entry, Message } from './types';

/** Newest messages kept per room: one default page. */
const TAIL_MAX = 100;
/** Rooms kept; the least recently used is forgotten first (and learnt again when asked). */
const MAX_ROOMS = 2_000;

interface Feed {
  /** Undefined while it is being learnt. */
  head: number | undefined;
  loading: Promise<number> | undefined;
  /** Consecutive entries that end at `head`, each message as it now reads. */
  tail: Entry[];
  /** Appends acknowledged while the head was being learnt. */
  early: Entry[];
}

export class RoomFeeds {
  private readonly rooms = new Map<string, Feed>();

  constructor(
    private readonly store: StoreClient,
    private readonly tableName: string,
  ) {}

  /** The room's exact head: from memory, or learnt with one consistent query the first time. */
  async head(room: string): Promise<number> {
    const feed = this.touch(room);
    if (feed.head !== undefined) return feed.head;
    feed.loading ??= this.learn(room, feed);
    return feed.loading;
  }

  /** The messages after `after`, at most `limit`, if the tail holds all of them; else undefined. */
  after(room: string, after: number, limit: number): Entry[] | undefined {
    const feed = this.rooms.get(room);
    if (feed?.head === undefined) return undefined;
    if (after >= feed.head) return [];
    const first = feed.tail[0]?.id;
    if (first === undefined || after < first - 1) return undefined;
    const from = after - (first - 1);
    return feed.tail.slice(from, from + limit);
  }

  /** The newest `limit` messages, if the tail holds them all (or the whole room). */
  newest(room: string, limit: number): Entry[] | undefined {
    const feed = this.rooms.get(room);
    if (feed?.head === undefined) return undefined;
    if (feed.tail.length >= limit || feed.tail.length === feed.head) return feed.tail.slice(-limit);
    return undefined;
  }

  /** Told of each append once the store has acknowledged it, in id order. */
  appended(room: string, messages: readonly Entry[]): void {
    const feed = this.rooms.get(room);
    if (!feed) return; // nobody asked about this room yet: it is learnt from the store when asked
    if (feed.head === undefined) {
      feed.early.push(...messages);
      return;
    }
    for (const m of messages) {
      if (m.id <= feed.head) continue;
      if (m.id !== feed.head + 1) {
        // Not the next id: another writer, or a lost report. Learn the room again from the store.
        this.rooms.delete(room);
        return;
      }
      feed.head = m.id;
      feed.tail.push(m);
      if (m.kind === 'update') changed(feed.tail, m.message);
    }
    if (feed.tail.length > TAIL_MAX) feed.tail.splice(0, feed.tail.length - TAIL_MAX);
  }

  private async learn(room: string, feed: Feed): Promise<number> {
    try {
      // A consistent read sees every append acknowledged before it; those acknowledged while
      // it runs are in `early`. Together they give the exact head. The same query fills the tail.
      const newest = await readPage(this.store, this.tableName, room, { kind: 'newest', limit: TAIL_MAX });
      const stored = newest.lastId;
      const early = feed.early.filter((m) => m.id > stored).sort((a, b) => a.id - b.id);
      feed.early = [];
      if (newest.hasMore || !early.every((m, i) => m.id === stored + 1 + i)) {
        // A hole, or something else writes here: claim nothing, and learn the room again next time.
        this.rooms.delete(room);
        return stored;
      }
      // The query may have read a message before a change that was acknowledged meanwhile:
      // its update entry is in `early`, and the tail shows the message as that entry left it.
      const tail = [...newest.messages];
      for (const m of early) {
        tail.push(m);
        if (m.kind === 'update') changed(tail, m.message);
      }
      feed.tail = tail.slice(-TAIL_MAX);
      feed.head = stored + early.length;
      return feed.head;
    } catch (error) {
      this.rooms.delete(room);
      throw error;
    } finally {
      feed.loading = undefined;
    }
  }

  private touch(room: string): Feed {
    let feed = this.rooms.get(room);
    if (feed) {
      this.rooms.delete(room);
    } else {
      feed = { head: undefined, loading: undefined, tail: [], early: [] };
    }
    this.rooms.set(room, feed);
    if (this.rooms.size > MAX_ROOMS) this.rooms.delete(this.rooms.keys().next().value as string);
    return feed;
  }
}

/** The tail after a change: the target as it now reads, and its text out of earlier entries once it is deleted. */
function changed(tail: Entry[], message: Message): void {
  for (const [i, e] of tail.entries()) {
    if (e.kind !== 'update' && e.id === message.id) tail[i] = message;
    else if (message.deleted && e.kind === 'update' && e.target === message.id && !e.message.deleted) {
      tail[i] = { ...e, message: emptied(e.message) };
    }
  }
}
