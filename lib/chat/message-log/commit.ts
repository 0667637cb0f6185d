/**
 * The one store request of a batch: a conditional put for a lone send without clientId, a
 * transaction otherwise. It answers what happened to each write, decoded from the
 * transaction's cancellation reasons when it was cancelled.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import type { PlannedChange } from './change-actions';
import { clientIdItem, messageItem } from './items';
import type { Message } from './types';

export type Outcome =
  | { readonly kind: 'written' }
  /** The clientId was sent before: the message stored then has this id. */
  | { readonly kind: 'repeat'; readonly id: number }
  /** Another writer took the id first. */
  | { readonly kind: 'taken' }
  /** The changed message is no longer at the revision the change was decided on: here it is now. */
  | { readonly kind: 'stale'; readonly item: Record<string, unknown> | undefined; readonly taken: boolean }
  /** Another transaction held one of the items: go again after a short pause. */
  | { readonly kind: 'conflict' }
  /** Cancelled because of another write in the same batch: simply go again. */
  | { readonly kind: 'again' };

/** One write of a batch at its id: a new message, or a change with its update entry. */
export type PlannedWrite =
  | { readonly kind: 'send'; readonly message: Message; readonly writeId: string }
  | ({ readonly kind: 'change'; readonly writeId: string } & PlannedChange);

/** How many of a transaction's actions a write takes. */
export const actionCount = (w: PlannedWrite): number =>
  w.kind === 'change' ? w.actions.length : w.message.clientId === undefined ? 1 : 2;

/** Each write carries its writeId, so that a retry of a write that had succeeded is recognised. */
export async function commit(
  store: StoreClient,
  tableName: string,
  writes: readonly PlannedWrite[],
): Promise<Outcome[]> {
  const only = writes[0];
  if (writes.length === 1 && only?.kind === 'send' && only.message.clientId === undefined) {
    const item = messageItem(only.message, only.writeId);
    try {
      await storeCall('append message', () =>
        store.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
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

  const putIfNew = (item: object) => ({
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });
  // Each send's actions, in order: its put, then the put of its clientId if it has one; each
  // change's: the message's update, its entry's put, then what a delete empties.
  const actions = writes.flatMap((w) => {
    if (w.kind === 'change') return w.actions;
    const item = messageItem(w.message, w.writeId);
    const clientId = w.message.clientId;
    return clientId === undefined
      ? [putIfNew(item)]
      : [putIfNew(item), putIfNew(clientIdItem({ ...w.message, clientId }, w.writeId))];
  });
  try {
    await storeCall(writes.some((w) => w.kind === 'change') ? 'change messages' : 'append messages', () =>
      store.send(new TransactWriteCommand({ TransactItems: actions, ClientRequestToken: randomUUID() })),
    );
    return writes.map(() => ({ kind: 'written' }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    let a = 0;
    return writes.map((w): Outcome => {
      const own = reasons.slice(a, a + actionCount(w));
      a += own.length;
      return w.kind === 'change' ? changeOutcome(own, w.writeId) : sendOutcome(own, w);
    });
  }
}

type Reason = NonNullable<TransactionCanceledException['CancellationReasons']>[number];

const itemOf = (reason: Reason | undefined) =>
  reason?.Item ? unmarshall(reason.Item as Parameters<typeof unmarshall>[0]) : undefined;

function sendOutcome([onMessage, onClientId]: Reason[], w: PlannedWrite & { kind: 'send' }): Outcome {
  if (onClientId?.Code === 'ConditionalCheckFailed') {
    const marker = itemOf(onClientId);
    if (marker?.writeId === w.writeId) return { kind: 'written' };
    if (typeof marker?.id === 'number') return { kind: 'repeat', id: marker.id };
  }
  if (onMessage?.Code === 'ConditionalCheckFailed') return takenOrOurs(onMessage.Item, w.writeId);
  if (onMessage?.Code === 'TransactionConflict' || onClientId?.Code === 'TransactionConflict') {
    return { kind: 'conflict' };
  }
  return { kind: 'again' };
}

function changeOutcome(reasons: Reason[], writeId: string): Outcome {
  const [onMessage, onEntry] = reasons;
  const entryTaken = onEntry?.Code === 'ConditionalCheckFailed';
  // Our own entry or our own change already there: an earlier attempt whose answer was lost.
  if (entryTaken && itemOf(onEntry)?.writeId === writeId) return { kind: 'written' };
  if (onMessage?.Code === 'ConditionalCheckFailed') {
    const item = itemOf(onMessage);
    if (item?.changeId === writeId) return { kind: 'written' };
    return { kind: 'stale', item, taken: entryTaken };
  }
  if (entryTaken) return { kind: 'taken' };
  if (reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'conflict' };
  // A scrub whose entry is missing would fail its condition: read the message again.
  if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return { kind: 'stale', item: undefined, taken: false };
  return { kind: 'again' };
}

/** A failed condition on our own earlier attempt (a retry after a lost reply) is a success. */
function takenOrOurs(existing: Record<string, unknown> | undefined, writeId: string): Outcome {
  const item = existing ? unmarshall(existing as Parameters<typeof unmarshall>[0]) : undefined;
  return item?.writeId === writeId ? { kind: 'written' } : { kind: 'taken' };
}
