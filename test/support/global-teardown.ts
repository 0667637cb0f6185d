import type { RunningDynamoDbLocal } from '../../lib/local/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  (globalThis as { __stopping?: boolean }).__stopping = true;
  await (globalThis as { __dynamodbLocal?: RunningDynamoDbLocal }).__dynamodbLocal?.stop();
}
