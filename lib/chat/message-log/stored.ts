/** Single messages read back from the store by key: by id, or as the first copy of a clientId. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { clientIdKey, roomKey } from '#aws/table';
import { isUpdateItem, toMessage, toState } from './items';
import type { MessageState } from './message-state';
import type { Message } from './types';

/** The message stored under an id: one strongly consistent read. */
export async function readMessage(store: StoreClient, tableName: string, room: string, id: number): Promise<Message> {
  const found = await storeCall('read message', () =>
    store.send(new GetCommand({ TableName: tableName, Key: { pk: roomKey(room), sk: id }, ConsistentRead: true })),
  );
  if (!found.Item) throw new Error(`clientId of ${room} points at message ${id}, which is missing`);
  return toMessage(room, found.Item);
}

/** A message as a change needs it, or undefined when the room has no message at that id (an update entry is none). */
export async function readMessageState(
  store: StoreClient,
  tableName: string,
  room: string,
  id: number,
): Promise<MessageState | undefined> {
  const found = await storeCall('read message', () =>
    store.send(new GetCommand({ TableName: tableName, Key: { pk: roomKey(room), sk: id }, ConsistentRead: true })),
  );
  return found.Item && !isUpdateItem(found.Item) ? toState(room, found.Item) : undefined;
}

/**
 * The message first stored with this clientId by this user in this room, or undefined when
 * there is none: a strongly consistent read of the clientId's item, and one of the message.
 */
export async function readFirstCopy(
  store: StoreClient,
  tableName: string,
  send: { readonly room: string; readonly uid: string; readonly clientId: string },
): Promise<Message | undefined> {
  const marker = await storeCall('read clientId', () =>
    store.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: clientIdKey(send.room, send.uid, send.clientId), sk: 0 },
        ConsistentRead: true,
      }),
    ),
  );
  const id = marker.Item?.id;
  return typeof id === 'number' ? readMessage(store, tableName, send.room, id) : undefined;
}
