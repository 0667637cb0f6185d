/**
 * The message log: per room, ids 1, 2, 3 … with no gaps and no repeats, where id n is
 * readable only after every id below it.
 *
 * Writing: a message is put at `head + 1` with the condition that no item has that key yet,
 * where `head` is an id this process has seen stored. So id n is written only after n - 1
 * existed: the order of visibility is the order of ids by construction, and the condition
 * makes two writers that race for the same id end with one winner; the loser learns the new
 * head and tries the next id. Sends that wait in the same process for the same room are
 * written together as one transaction (group commit), which keeps throughput up when many
 * writers share a room. A `clientId` is a second item written in the same transaction, so a
 * repeated send is recognised forever, also when the two sends race.
 *
 * Reading: one strongly consistent query. As a second line of defence the reader returns
 * only the run of ids that follows the cursor without a hole, so a client can never move
 * its cursor past an id it has not seen.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from './config';
import { dynamo, storeCall } from './dynamo';
import { StoreUnavailableError } from './errors';
import { clientIdKey, roomKey } from './table';
import type { ReadRequest } from './validation';

export interface Message {
  readonly id: number;
  readonly room: string;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  readonly ts: string;
  readonly clientId?: string;
}

export interface NewMessage {
  readonly room: string;
  readonly user: string;
  readonly uid: string;
  readonly text: string;
  readonly clientId?: string;
}

export interface Appended {
  readonly message: Message;
  /** false when the clientId had been sent before: the message is the one stored then. */
  readonly created: boolean;
}

export interface Page {
  readonly messages: readonly Message[];
  readonly lastId: number;
  readonly hasMore: boolean;
}

/** At most this many sends share one transaction (each may need two of its 100 actions). */
const MAX_BATCH = 25;
/** How long a batch may wait for the senders of the previous one to send again. */
const BATCH_LINGER_MS = 3;
/** A send gives up with 503 after losing races for this long. */
const APPEND_DEADLINE_MS = 8000;
/** Rooms whose head this process remembers; the oldest entry is forgotten first. */
const MAX_KNOWN_ROOMS = 10_000;

interface Pending {
  readonly input: NewMessage;
  /** Marks this process's write, to recognise it when a retried request had already succeeded. */
  readonly writeId: string;
  readonly resolve: (result: Appended) => void;
  readonly reject: (error: unknown) => void;
}

interface RoomQueue {
  waiting: Pending[];
  draining: boolean;
}

const tableName = (): string => config().tableName;
const heads = new Map<string, number>();
const queues = new Map<string, RoomQueue>();
/** Sends with a clientId that this process is writing now, so that an identical one waits for it. */
const inFlight = new Map<string, Promise<Appended>>();

/** Stores a message and answers with it; with a clientId, a repeat answers the first copy. */
export async function appendMessage(input: NewMessage): Promise<Appended> {
  if (input.clientId === undefined) return enqueue(input);
  const key = clientIdKey(input.room, input.uid, input.clientId);
  const earlier = inFlight.get(key);
  if (earlier) {
    try {
      return { message: (await earlier).message, created: false };
    } catch {
      // The earlier send failed; this one tries on its own.
    }
  }
  const attempt = enqueue(input);
  inFlight.set(key, attempt);
  try {
    return await attempt;
  } finally {
    if (inFlight.get(key) === attempt) inFlight.delete(key);
  }
}

function enqueue(input: NewMessage): Promise<Appended> {
  return new Promise<Appended>((resolve, reject) => {
    let queue = queues.get(input.room);
    if (!queue) {
      queue = { waiting: [], draining: false };
      queues.set(input.room, queue);
    }
    queue.waiting.push({ input, writeId: randomUUID(), resolve, reject });
    if (!queue.draining) void drain(input.room, queue);
  });
}

async function drain(room: string, queue: RoomQueue): Promise<void> {
  queue.draining = true;
  let lastBatch = 0;
  try {
    while (queue.waiting.length > 0) {
      // While several senders are active, those just answered are about to send again: a
      // moment's wait lets them join this batch instead of forming a half-size one of their own.
      if (lastBatch > 1 && queue.waiting.length < MAX_BATCH) await sleep(BATCH_LINGER_MS);
      else await new Promise((resolve) => setImmediate(resolve));
      const batch = queue.waiting.splice(0, MAX_BATCH);
      lastBatch = batch.length;
      await writeBatch(room, batch).catch((error: unknown) => batch.forEach((p) => p.reject(error)));
    }
  } finally {
    queue.draining = false;
    if (queue.waiting.length === 0) queues.delete(room);
  }
}

type Outcome =
  | { readonly kind: 'written' }
  | { readonly kind: 'repeat'; readonly id: number }
  | { readonly kind: 'taken' }
  /** Another transaction held one of the items: go again after a short pause. */
  | { readonly kind: 'conflict' }
  /** Cancelled because of another message in the same batch: simply go again. */
  | { readonly kind: 'again' };

/** Writes the batch at the ids after the head; retries what lost a race until all are settled. */
async function writeBatch(room: string, batch: Pending[]): Promise<void> {
  const deadline = Date.now() + APPEND_DEADLINE_MS;
  let pending = batch;
  let lostInARow = 0;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new StoreUnavailableError(`append to ${room}: too much contention`, 1);
    const head = await knownHead(room);
    const ts = new Date().toISOString();
    const messages = pending.map((p, i): Message => ({ ...p.input, id: head + 1 + i, ts }));
    let outcomes: Outcome[];
    try {
      outcomes = await commit(messages, pending);
    } catch (error) {
      heads.delete(room);
      throw error;
    }

    const next: Pending[] = [];
    let taken: number | undefined;
    let conflict = false;
    let written = 0;
    for (const [i, outcome] of outcomes.entries()) {
      const p = pending[i]!;
      const message = messages[i]!;
      if (outcome.kind === 'written') {
        p.resolve({ message, created: true });
        written++;
      } else if (outcome.kind === 'repeat') {
        await resolveRepeat(room, outcome.id, p);
      } else {
        if (outcome.kind === 'taken') taken ??= message.id;
        if (outcome.kind === 'conflict') conflict = true;
        next.push(p);
      }
    }
    if (written > 0) remember(room, head + written);
    if (taken !== undefined) {
      // Another writer took the id, and is most likely the only one ahead: try the next id,
      // and ask the store for the head only after losing a few times in a row.
      lostInARow++;
      if (lostInARow < 3) remember(room, taken);
      else heads.delete(room);
      // Exponential backoff with full jitter spreads a herd of writers that lost the same race.
      await sleep(Math.random() * Math.min(4 * 2 ** lostInARow, 250));
    } else {
      lostInARow = 0;
    }
    if (conflict) await sleep(5 + Math.random() * 20);
    pending = next;
  }
}

async function resolveRepeat(room: string, id: number, p: Pending): Promise<void> {
  const found = await storeCall('read repeated message', () =>
    dynamo.send(new GetCommand({ TableName: tableName(), Key: { pk: roomKey(room), sk: id }, ConsistentRead: true })),
  );
  if (!found.Item) throw new Error(`clientId of ${room} points at message ${id}, which is missing`);
  p.resolve({ message: toMessage(room, found.Item), created: false });
}

/**
 * One store request for the whole batch: a conditional put for a lone send without
 * clientId, a transaction otherwise. Returns what happened to each message.
 */
async function commit(messages: Message[], pending: Pending[]): Promise<Outcome[]> {
  const items = messages.map((m, i) => messageItem(m, pending[i]!.writeId));
  const only = items[0];
  if (items.length === 1 && only && messages[0]?.clientId === undefined) {
    try {
      await storeCall('append message', () =>
        dynamo.send(
          new PutCommand({
            TableName: tableName(),
            Item: only,
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return [{ kind: 'written' }];
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return [takenOrOurs(error.Item, only.writeId)];
    }
  }

  // Each message's actions, in order: its put, then the put of its clientId if it has one.
  const actions = messages.flatMap((m, i) => {
    const item = items[i]!;
    const put = { Put: { TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
    if (m.clientId === undefined) return [put];
    const marker = { pk: clientIdKey(m.room, m.uid, m.clientId), sk: 0, id: m.id, writeId: item.writeId };
    return [put, { Put: { ...put.Put, Item: marker } }];
  });
  try {
    await storeCall('append messages', () =>
      dynamo.send(new TransactWriteCommand({ TransactItems: actions, ClientRequestToken: randomUUID() })),
    );
    return messages.map(() => ({ kind: 'written' }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    let a = 0;
    return messages.map((m, i): Outcome => {
      const writeId = items[i]!.writeId;
      const onMessage = reasons[a++];
      const onClientId = m.clientId === undefined ? undefined : reasons[a++];
      if (onClientId?.Code === 'ConditionalCheckFailed') {
        const marker = onClientId.Item ? unmarshall(onClientId.Item) : undefined;
        if (marker?.writeId === writeId) return { kind: 'written' };
        if (typeof marker?.id === 'number') return { kind: 'repeat', id: marker.id };
      }
      if (onMessage?.Code === 'ConditionalCheckFailed') return takenOrOurs(onMessage.Item, writeId);
      if (onMessage?.Code === 'TransactionConflict' || onClientId?.Code === 'TransactionConflict') {
        return { kind: 'conflict' };
      }
      return { kind: 'again' };
    });
  }
}

/** A failed condition on our own earlier attempt (a retry after a lost reply) is a success. */
function takenOrOurs(existing: Record<string, unknown> | undefined, writeId: string): Outcome {
  const item = existing ? unmarshall(existing as Parameters<typeof unmarshall>[0]) : undefined;
  return item?.writeId === writeId ? { kind: 'written' } : { kind: 'taken' };
}

function messageItem(m: Message, writeId: string) {
  return {
    pk: roomKey(m.room),
    sk: m.id,
    user: m.user,
    uid: m.uid,
    text: m.text,
    ts: m.ts,
    clientId: m.clientId,
    writeId,
  };
}

/** The highest id stored in the room, from memory or from one consistent query. */
async function knownHead(room: string): Promise<number> {
  const known = heads.get(room);
  if (known !== undefined) return known;
  const result = await storeCall('read head', () =>
    dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': roomKey(room) },
        ProjectionExpression: 'sk',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    ),
  );
  const head = Number(result.Items?.[0]?.sk ?? 0);
  remember(room, head);
  return head;
}

function remember(room: string, head: number): void {
  heads.delete(room);
  heads.set(room, head);
  if (heads.size > MAX_KNOWN_ROOMS) heads.delete(heads.keys().next().value as string);
}

/**
 * One page of a room, oldest first, with one strongly consistent query and no write:
 * after a cursor (polling), before an id (history), or the newest messages (first visit).
 */
export async function readMessages(room: string, request: ReadRequest): Promise<Page> {
  const values: Record<string, unknown> = { ':pk': roomKey(room) };
  let condition = 'pk = :pk';
  if (request.kind === 'after') {
    condition += ' AND sk > :id';
    values[':id'] = request.after;
  } else if (request.kind === 'before') {
    condition += ' AND sk < :id';
    values[':id'] = request.before;
  } else {
    condition += ' AND sk > :zero';
    values[':zero'] = 0;
  }
  const ascending = request.kind === 'after';
  const result = await storeCall('read messages', () =>
    dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ScanIndexForward: ascending,
        // One more than asked tells whether more are waiting, without a second read.
        Limit: request.kind === 'newest' ? request.limit : request.limit + 1,
        ConsistentRead: true,
      }),
    ),
  );
  const items = (result.Items ?? []).map((item) => toMessage(room, item));
  const overflow = request.kind !== 'newest' && items.length > request.limit;
  const page = (overflow ? items.slice(0, request.limit) : items).sort((a, b) => a.id - b.id);
  const messages = withoutHoles(page, request.kind === 'after' ? request.after + 1 : page[0]?.id ?? 0);
  const cut = messages.length < page.length;
  const lastId = messages.at(-1)?.id ?? (request.kind === 'after' ? request.after : 0);
  return { messages, lastId, hasMore: overflow || cut };
}

/** The messages from `first` on, up to the first missing id. */
function withoutHoles(sorted: Message[], first: number): Message[] {
  let expected = first;
  let n = 0;
  while (n < sorted.length && sorted[n]!.id === expected) {
    n++;
    expected++;
  }
  return n === sorted.length ? sorted : sorted.slice(0, n);
}

function toMessage(room: string, item: Record<string, unknown>): Message {
  return {
    id: Number(item.sk),
    room,
    user: String(item.user),
    uid: String(item.uid),
    text: String(item.text),
    ts: String(item.ts),
    ...(typeof item.clientId === 'string' ? { clientId: item.clientId } : {}),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
