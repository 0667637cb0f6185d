/**
 * A delete takes the message's text out of every update entry that carries it, in the same
 * transaction as the delete. A message changed more often than that transaction can hold
 * has its oldest entries emptied first, in transactions of their own: should the process stop
 * between, those entries read as deleted a little early, but no text outlives an
 * acknowledged delete.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { preScrubActions, SCRUBS_IN_TRANSACTION } from './change-actions';
import type { MessageState } from './message-state';
import type { ChangeRequest } from './types';

/** Entries emptied per transaction ahead of a delete (one more action takes them off the message). */
const PRE_SCRUB_CHUNK = 99;

/**
 * Before a delete, empties all but the newest SCRUBS_IN_TRANSACTION entries of the message;
 * the state as it then is (any other change: the state as it is).
 */
export async function scrubAheadOfDelete(
  store: StoreClient,
  tableName: string,
  { room, change }: ChangeRequest,
  state: MessageState,
): Promise<MessageState> {
  if (change.kind !== 'delete') return state;
  const early = state.entries.slice(0, Math.max(0, state.entries.length - SCRUBS_IN_TRANSACTION));
  for (let i = 0; i < early.length; i += PRE_SCRUB_CHUNK) {
    const ids = early.slice(i, i + PRE_SCRUB_CHUNK);
    await storeCall('empty update entries', () =>
      store.send(
        new TransactWriteCommand({
          TransactItems: preScrubActions(tableName, room, state.message.id, ids),
          ClientRequestToken: randomUUID(),
        }),
      ),
    );
  }
  return early.length === 0 ? state : { ...state, entries: state.entries.slice(early.length) };
}
