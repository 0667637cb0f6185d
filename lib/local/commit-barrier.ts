/**
 * DynamoDB Local (3.x) answers TransactWriteItems before the transaction is committed: it
 * queues the SQLite COMMIT and replies without waiting for it. If DynamoDB Local is then
 * killed, an acknowledged transaction can vanish, and with it an acknowledged message (and
 * a later message may survive it, leaving a gap that readers cannot pass). Its queue runs
 * jobs in order, so any read that comes back after the transaction proves the COMMIT ran.
 *
 * For the local server only: after each successful transaction, one consistent read of a
 * key that never exists, before the caller hears of the success. Real DynamoDB is durable
 * when it answers and needs none of this.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY, SORT_KEY } from '#aws/table';

const BARRIER_KEY = { [PARTITION_KEY]: '#commit-barrier', [SORT_KEY]: 0 };

export function awaitTransactionCommits(client: DynamoDBDocumentClient, tableName: string): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const input = args.input as { TransactItems?: unknown };
      if (input.TransactItems !== undefined) {
        await client.send(new GetCommand({ TableName: tableName, Key: BARRIER_KEY, ConsistentRead: true }));
      }
      return result;
    },
    { step: 'initialize', name: 'awaitDynamoDbLocalCommit' },
  );
}
