/**
 * The store actions of one change: an update of the message, conditioned on the revision the
 * change was decided on, and the put of its update entry at the next id (conditioned on the
 * id being free), in one transaction. Reactions are atomic set updates (ADD or DELETE of one
 * element). A delete also empties the text out of the message's earlier update entries.
 */
import { roomKey } from '#aws/table';
import { reactionAttribute, reactionElement, updateEntryItem } from './items';
import { afterChange, viewOf, type MessageState } from './message-state';
import type { ChangeRequest, UpdateEntry } from './types';

/** A change's planned write at one id: its actions, the entry, and the message after it. */
export interface PlannedChange {
  readonly actions: readonly object[];
  readonly entry: UpdateEntry;
  readonly after: MessageState;
}

const ifStillAt = (rev: number) => (rev === 0 ? 'attribute_not_exists(#rev)' : '#rev = :rev');

export function planChange(
  tableName: string,
  request: ChangeRequest,
  state: MessageState,
  entryId: number,
  ts: string,
  writeId: string,
): PlannedChange {
  const { room, change } = request;
  const after = afterChange(state, change, entryId, ts, request.uid);
  const entry: UpdateEntry = {
    kind: 'update',
    id: entryId,
    room,
    user: request.user,
    uid: request.uid,
    ts,
    target: request.id,
    message: viewOf(after),
  };

  const names: Record<string, string> = { '#rev': 'rev', '#changeId': 'changeId' };
  const values: Record<string, unknown> = { ':one': 1, ':changeId': writeId };
  if (state.rev > 0) values[':rev'] = state.rev;
  const set = ['#changeId = :changeId'];
  const add = ['#rev :one'];
  const remove: string[] = [];
  const del: string[] = [];
  if (change.kind !== 'delete') {
    names['#entries'] = 'entries';
    values[':entry'] = new Set([entryId]);
    add.push('#entries :entry');
  }
  if (change.kind === 'edit') {
    names['#text'] = 'text';
    names['#editedAt'] = 'editedAt';
    values[':text'] = change.text;
    values[':ts'] = ts;
    set.push('#text = :text', '#editedAt = :ts');
  } else if (change.kind === 'delete') {
    names['#text'] = 'text';
    names['#deleted'] = 'deleted';
    names['#entries'] = 'entries';
    values[':empty'] = '';
    values[':true'] = true;
    set.push('#text = :empty', '#deleted = :true');
    remove.push('#entries');
    [...state.reactions.keys()].forEach((emoji, i) => {
      names[`#r${i}`] = reactionAttribute(emoji);
      remove.push(`#r${i}`);
    });
  } else {
    names['#r'] = reactionAttribute(change.emoji);
    if (change.on) {
      values[':reaction'] = new Set([reactionElement(entryId, request.uid)]);
      add.push('#r :reaction');
    } else {
      const since = state.reactions.get(change.emoji)?.get(request.uid) ?? 0;
      values[':reaction'] = new Set([reactionElement(since, request.uid)]);
      del.push('#r :reaction');
    }
  }
  const expression = [
    `SET ${set.join(', ')}`,
    `ADD ${add.join(', ')}`,
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
    del.length > 0 ? `DELETE ${del.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const updateMessage = {
    Update: {
      TableName: tableName,
      Key: { pk: roomKey(room), sk: request.id },
      UpdateExpression: expression,
      ConditionExpression: `attribute_exists(pk) AND ${ifStillAt(state.rev)}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
  const putEntry = {
    Put: {
      TableName: tableName,
      Item: updateEntryItem(entry, writeId),
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
  const scrubs = change.kind === 'delete' ? state.entries.map((id) => scrubAction(tableName, room, id)) : [];
  return { actions: [updateMessage, putEntry, ...scrubs], entry, after };
}

/** Empties the target's text and reactions out of an earlier update entry (the message was deleted). */
export function scrubAction(tableName: string, room: string, entryId: number) {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: roomKey(room), sk: entryId },
      UpdateExpression: 'SET #m.#text = :empty, #m.#deleted = :true REMOVE #m.#reactions',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#m': 'message', '#text': 'text', '#deleted': 'deleted', '#reactions': 'reactions' },
      ExpressionAttributeValues: { ':empty': '', ':true': true },
    },
  };
}

/** Update entries a delete empties in its own transaction; older ones are emptied just before it. */
export const SCRUBS_IN_TRANSACTION = 40;

/** The actions that empty `ids` ahead of a delete, and take them off the message's list. */
export function preScrubActions(tableName: string, room: string, target: number, ids: readonly number[]) {
  return [
    ...ids.map((id) => scrubAction(tableName, room, id)),
    {
      Update: {
        TableName: tableName,
        Key: { pk: roomKey(room), sk: target },
        UpdateExpression: 'DELETE #entries :ids',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#entries': 'entries' },
        ExpressionAttributeValues: { ':ids': new Set(ids) },
      },
    },
  ];
}
