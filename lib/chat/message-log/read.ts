/**
 * One page of a room, oldest first, with one strongly consistent query and no write: after
 * a cursor (polling), before an id (history), or the newest messages (first visit).
 *
 * The room's state item sorts after every message (presence/state-item.ts), so the same
 * query brings it: last in a poll's ascending range when the page reaches the room's head,
 * first in a newest read's descending one. A page that stops short of the head (more is
 * waiting) cannot reach it and carries no room state; the next page does.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { roomKey } from '#aws/table';
import { entriesOf, STATE_SK } from '../presence/state-item';
import { roomView } from '../presence/room-state';
import { toEntry } from './items';
import type { Page, ReadRequest } from './types';

export async function readPage(
  store: StoreClient,
  tableName: string,
  room: string,
  request: ReadRequest,
  now: () => number = Date.now,
): Promise<Page> {
  const values: Record<string, unknown> = { ':pk': roomKey(room) };
  let condition = 'pk = :pk';
  if (request.kind === 'after') {
    condition += ' AND sk > :id';
    values[':id'] = request.after;
  } else if (request.kind === 'before') {
    condition += ' AND sk < :id';
    values[':id'] = Math.min(request.before, STATE_SK);
  } else {
    condition += ' AND sk > :zero';
    values[':zero'] = 0;
  }
  const ascending = request.kind === 'after';
  // History and polls ask one more than they want, to tell whether more are waiting without
  // a second read; polls and newest reads one more again, for the state item.
  const limit = request.limit + (request.kind === 'after' ? 2 : 1);
  const result = await storeCall('read messages', () =>
    store.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ScanIndexForward: ascending,
        Limit: limit,
        ConsistentRead: true,
      }),
    ),
  );
  const found = result.Items ?? [];
  const stateItem = found.find((item) => Number(item.sk) === STATE_SK);
  const items = found.filter((item) => item !== stateItem).map((item) => toEntry(room, item));
  // A newest read starts where the state item sorts. A poll that got fewer items than it asked
  // for ran to the end of its range, past where the state item sorts. Either way the state is
  // known (no item: nobody is here).
  const reached =
    request.kind === 'newest' ||
    (request.kind === 'after' && request.after < STATE_SK && (stateItem !== undefined || found.length < limit));
  const overflow = request.kind !== 'newest' && items.length > request.limit;
  const page = items.slice(0, request.limit).sort((a, b) => a.id - b.id);
  const messages = withoutHoles(page, request.kind === 'after' ? request.after + 1 : (page[0]?.id ?? 0));
  const cut = messages.length < page.length;
  const lastId = messages.at(-1)?.id ?? (request.kind === 'after' ? request.after : 0);
  return {
    messages,
    lastId,
    hasMore: overflow || cut,
    ...(reached ? { room: roomView(entriesOf(stateItem), now()) } : {}),
  };
}

/** The messages from `first` on, up to the first missing id. */
export function withoutHoles<E extends { readonly id: number }>(sorted: readonly E[], first: number): E[] {
  let expected = first;
  let n = 0;
  while (n < sorted.length && sorted[n]!.id === expected) {
    n++;
    expected++;
  }
  return sorted.slice(0, n);
}
