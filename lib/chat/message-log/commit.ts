/**
 * The one store request of a batch: a conditional put for a lone send without clientId, a
 * transaction otherwise. It answers what happened to each message, decoded from the
 * transaction's cancellation reasons when it was cancelled.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { clientIdItem, messageItem } from './items';
import type { Message } from './types';

export type Outcome =
  | { readonly kind: 'written' }
  /** The clientId was sent before: the message stored then has this id. */
  | { readonly kind: 'repeat'; readonly id: number }
  /** Another writer took the id first. */
  | { readonly kind: 'taken' }
  /** Another transaction held one of the items: go again after a short pause. */
  | { readonly kind: 'conflict' }
  /** Cancelled because of another message in the same batch: simply go again. */
  | { readonly kind: 'again' };

/** Each message is written with its writeId, so that a retry of a write that had succeeded is recognised. */
export async function commit(
  store: StoreClient,
  tableName: string,
  messages: readonly Message[],
  writeIds: readonly string[],
): Promise<Outcome[]> {
  const items = messages.map((m, i) => messageItem(m, writeIds[i]!));
  const only = items[0];
  if (items.length === 1 && only && messages[0]?.clientId === undefined) {
    try {
      await storeCall('append message', () =>
        store.send(
          new PutCommand({
            TableName: tableName,
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
  const putIfNew = (item: object) => ({
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });
  const actions = messages.flatMap((m, i) => {
    const item = items[i]!;
    const clientId = m.clientId;
    return clientId === undefined
      ? [putIfNew(item)]
      : [putIfNew(item), putIfNew(clientIdItem({ ...m, clientId }, item.writeId))];
  });
  try {
    await storeCall('append messages', () =>
      store.send(new TransactWriteCommand({ TransactItems: actions, ClientRequestToken: randomUUID() })),
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
