/**
 * Messages written straight into the table, in the message log's own item format, with the
 * times a test needs (the log would stamp them now) and at the speed a test needs (the log's
 * appends do a few hundred a second in one room on DynamoDB Local).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { roomKey } from '#aws/table';

export interface Row {
  readonly uid: string;
  readonly user: string;
  readonly text: string;
  readonly ts: Date;
}

/** Stores `rows` as the messages `firstId`, `firstId + 1`, … of `room`. */
export async function seedMessages(room: string, rows: readonly Row[], firstId = 1): Promise<void> {
  const store = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const items = rows.map((row, i) => ({ pk: roomKey(room), sk: firstId + i, ...row, ts: row.ts.toISOString() }));
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const writer = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
        [process.env.CHAT_TABLE_NAME!]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      while (request && Object.keys(request).length > 0) {
        const result = await store.send(new BatchWriteCommand({ RequestItems: request }));
        request = result.UnprocessedItems as typeof request;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
  store.destroy();
}

/**
 * A fixed-offset time zone where it is now about midday, so that the last hours and the days
 * before fall on the days a test means, whatever time the machine's clock shows; and a time
 * of day on a day counted from today, in that zone.
 */
export function middayZone(): { zone: string; at(daysFromToday: number, hour: number, minute?: number): Date } {
  const offset = Math.max(-12, Math.min(14, 12 - new Date().getUTCHours()));
  const local = new Date(Date.now() + offset * 3_600_000);
  return {
    // Etc/GMT-N is N hours ahead of UTC (the POSIX sign).
    zone: offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`,
    at: (days, hour, minute = 0) =>
      new Date(
        Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, hour, minute) -
          offset * 3_600_000,
      ),
  };
}
