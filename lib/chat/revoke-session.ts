/**
 * A logout: one item in the `revoked` partition (see revocations.ts for how every process
 * learns of it), then known in this process at once. Only the logout function writes these,
 * so the other functions' bundles hold no write for it.
 */
import { randomInt } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { REVOKED_KEY } from '#aws/table';
import { type Revocations, tokenHash } from './revocations';

export type RevokeSession = (token: string, expiresMs: number) => Promise<void>;

export function createSessionRevoker(options: {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly revocations: Revocations;
  readonly now?: () => number;
}): RevokeSession {
  const { store, tableName, revocations, now = Date.now } = options;
  return async (token, expiresMs) => {
    // Microseconds and a random tail: ordered by time, and two logouts in one millisecond differ.
    const sk = now() * 1000 + randomInt(1000);
    await storeCall('revoke session', () =>
      store.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: REVOKED_KEY, sk, hash: tokenHash(token), expiresAt: Math.ceil(expiresMs / 1000) },
        }),
      ),
    );
    revocations.remember(token, expiresMs);
  };
}
