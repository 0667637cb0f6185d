/** What this process knows of each room's head: the highest id it has seen stored. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { roomKey } from '#aws/table';
import { STATE_SK } from '../presence/state-item';

/** Rooms whose head a process remembers; the oldest entry is forgotten first. */
const MAX_KNOWN_ROOMS = 10_000;

export class KnownHeads {
  private readonly heads = new Map<string, number>();

  get(room: string): number | undefined {
    return this.heads.get(room);
  }

  remember(room: string, head: number): void {
    this.heads.delete(room);
    this.heads.set(room, head);
    if (this.heads.size > MAX_KNOWN_ROOMS) this.heads.delete(this.heads.keys().next().value as string);
  }

  forget(room: string): void {
    this.heads.delete(room);
  }
}

/** The highest id stored in the room, from memory or from one consistent query. */
export async function knownHead(
  store: StoreClient,
  tableName: string,
  heads: KnownHeads,
  room: string,
): Promise<number> {
  const known = heads.get(room);
  if (known !== undefined) return known;
  const result = await storeCall('read head', () =>
    store.send(
      new QueryCommand({
        TableName: tableName,
        // Below the room's state item, which sorts after every message.
        KeyConditionExpression: 'pk = :pk AND sk < :state',
        ExpressionAttributeValues: { ':pk': roomKey(room), ':state': STATE_SK },
        ProjectionExpression: 'sk',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    ),
  );
  const head = Number(result.Items?.[0]?.sk ?? 0);
  heads.remember(room, head);
  return head;
}
