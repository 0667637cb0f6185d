/**
 * One page of a room, oldest first, with one strongly consistent query and no write: after
 * a cursor (polling), before an id (history), or the newest messages (first visit).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { roomKey } from '#aws/table';
import { toMessage } from './items';
import type { Message, Page, ReadRequest } from './types';

export async function readPage(
  store: StoreClient,
  tableName: string,
  room: string,
  request: ReadRequest,
): Promise<Page> {
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
    store.send(
      new QueryCommand({
        TableName: tableName,
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
  const messages = withoutHoles(page, request.kind === 'after' ? request.after + 1 : (page[0]?.id ?? 0));
  const cut = messages.length < page.length;
  const lastId = messages.at(-1)?.id ?? (request.kind === 'after' ? request.after : 0);
  return { messages, lastId, hasMore: overflow || cut };
}

/** The messages from `first` on, up to the first missing id. */
export function withoutHoles(sorted: readonly Message[], first: number): Message[] {
  let expected = first;
  let n = 0;
  while (n < sorted.length && sorted[n]!.id === expected) {
    n++;
    expected++;
  }
  return sorted.slice(0, n);
}
