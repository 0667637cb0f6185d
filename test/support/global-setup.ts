/**
 * One DynamoDB Local for the whole test run (in memory), with the chat table. Tests keep out
 * of each other's way by using their own rooms and users; the endpoint and configuration
 * reach every test worker through the environment.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Relative imports: jest loads the global setup outside its module mapping.
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { ensureTable } from '../../lib/local/table-setup';

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const store = await startDynamoDbLocal();
  (globalThis as { __dynamodbLocal?: unknown }).__dynamodbLocal = store;
  void store.exited.then((code) => {
    if (!(globalThis as { __stopping?: boolean }).__stopping) {
      console.error(`DynamoDB Local for the tests exited early (code ${code}):\n${store.errorOutput()}`);
    }
  });
  process.env.DYNAMODB_ENDPOINT = store.endpoint;
  process.env.CHAT_TABLE_NAME = 'chat-test';
  process.env.CHAT_SESSION_KEY = randomBytes(32).toString('base64');
  process.env.AWS_REGION = 'local';
  process.env.CHAT_LOG_SILENT ??= '1';
  // Every test logs in from 127.0.0.1; the login limit has tests of its own that turn it on.
  process.env.CHAT_LOGIN_RATE ??= '0';
  const admin = new DynamoDBClient({
    endpoint: store.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(admin, process.env.CHAT_TABLE_NAME);
  admin.destroy();
}
