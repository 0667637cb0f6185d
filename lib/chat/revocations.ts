/**
 * Logged-out sessions: a token that was logged out is refused everywhere until it would have
 * expired anyway.
 *
 * Each logout writes one item (`revoked` partition, sort key = when, in microseconds plus a
 * random tail so two logouts never collide) that holds a hash of the token and expires with
 * it (the table's TTL). Every process keeps the hashes it knows in memory, so checking a token
 * costs nothing; it learns newer ones with one query of only the items after the newest it has
 * seen (less two minutes, for logouts that committed late): in the background once its knowledge is 30 s old (the request goes on with what it
 * knows), and before answering once it is 60 s old (an instance that slept). So a logout
 * holds at once on the process that took it and within 60 s on every other, and a steady
 * stream of polls never waits for a store read.
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { REVOKED_KEY } from '#aws/table';

/** Knowledge this old is refreshed in the background. */
export const REFRESH_MS = 30_000;
/** Knowledge this old is refreshed before a token is accepted. */
export const STALE_MS = 60_000;

/**
 * Each refresh reads again this far back before the newest item it saw (in µs): a logout that
 * committed late, or on a process whose clock runs a little behind, is still found.
 */
const OVERLAP_US = 120_000_000;

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 32);

export interface Revocations {
  /** Whether the token was logged out (as far as this process knows, within the bounds above). */
  isRevoked(token: string): Promise<boolean>;
  /** Known here at once (the logout that stored it ran in this process). `expiresMs`: when the token expires anyway. */
  remember(token: string, expiresMs: number): void;
}

export function createRevocations(options: {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly now?: () => number;
}): Revocations {
  const { store, tableName, now = Date.now } = options;
  /** Hash → when the token expires (then it is dropped: expired tokens are refused anyway). */
  const known = new Map<string, number>();
  /** The newest sort key seen: the next refresh reads only what comes after it (less the overlap). */
  let newestSeen = 0;
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const startedAt = now();
    const after = Math.max(0, newestSeen - OVERLAP_US);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await storeCall('read revocations', () =>
        store.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk > :after',
            ExpressionAttributeValues: { ':pk': REVOKED_KEY, ':after': after },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const expiresMs = Number(item.expiresAt) * 1000;
        if (expiresMs > startedAt) known.set(String(item.hash), expiresMs);
        newestSeen = Math.max(newestSeen, Number(item.sk));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    for (const [hash, expiresMs] of known) if (expiresMs <= startedAt) known.delete(hash);
    refreshedAt = startedAt;
  }

  function refreshOnce(): Promise<void> {
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  return {
    async isRevoked(token) {
      const age = now() - refreshedAt;
      if (age >= STALE_MS) await refreshOnce();
      else if (age >= REFRESH_MS) refreshOnce().catch(() => undefined);
      return known.has(tokenHash(token));
    },
    remember(token, expiresMs) {
      known.set(tokenHash(token), expiresMs);
    },
  };
}
