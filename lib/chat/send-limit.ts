/**
 * The per-user send limit, kept in the store so that it holds across every Lambda instance,
 * or in memory by the sole writer of a store (every send passes through it, so memory is
 * exact there, and a send costs one store write less).
 *
 * It is the generic cell rate algorithm: one number per user, the theoretical arrival time
 * (`tat`) of the next send at the sustained rate. A send at time t is allowed when
 * tat <= t + (burst - 1) * interval, and moves tat to max(tat, t) + interval. Each allowed
 * send is one conditional update; a refused one usually costs none.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { SendLimit } from '#lib/config';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { rateKey } from '#aws/table';

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Rounds of losing a race against the same user's other sends before giving up. */
const MAX_ROUNDS = 5;

export interface SendAllowance {
  /** Takes one send from the user's allowance, or says how long to wait. */
  take(uid: string, now?: number): Promise<RateDecision>;
}

export function createSendAllowance(options: {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly limit: SendLimit;
  /** The item that holds a caller's state (default: a user's send rate). */
  readonly keyOf?: (id: string) => string;
  readonly clock?: () => number;
}): SendAllowance {
  const clock = options.clock ?? Date.now;
  return { take: (uid, now = clock()) => takeSendAllowance(options, uid, now) };
}

/** Users whose allowance the sole writer remembers; the one that sent least recently is forgotten first. */
const MAX_USERS = 100_000;

/** The same limit in memory, for the sole writer of a store. */
export function createMemorySendAllowance(limit: SendLimit, clock: () => number = Date.now): SendAllowance {
  const tats = new Map<string, number>();
  const off = limit.rate <= 0 || limit.burst <= 0;
  const interval = 1000 / limit.rate;
  const tolerance = (limit.burst - 1) * interval;
  return {
    async take(uid, now = clock()) {
      if (off) return { allowed: true };
      const tat = tats.get(uid) ?? now;
      if (tat > now + tolerance) return { allowed: false, retryAfterMs: tat - tolerance - now };
      tats.delete(uid);
      tats.set(uid, Math.max(tat, now) + interval);
      if (tats.size > MAX_USERS) tats.delete(tats.keys().next().value as string);
      return { allowed: true };
    },
  };
}

async function takeSendAllowance(
  {
    store,
    tableName,
    limit,
    keyOf = rateKey,
  }: {
    readonly store: StoreClient;
    readonly tableName: string;
    readonly limit: SendLimit;
    readonly keyOf?: (id: string) => string;
  },
  uid: string,
  now: number,
): Promise<RateDecision> {
  if (limit.rate <= 0 || limit.burst <= 0) return { allowed: true };
  const interval = 1000 / limit.rate;
  const tolerance = (limit.burst - 1) * interval;
  // Kept a minute past the point where it stops mattering, then DynamoDB's TTL removes it.
  const expiresAt = (tat: number) => Math.ceil((tat + tolerance) / 1000) + 60;

  // The common case first: the user has been quiet, so tat lies in the past.
  let condition = 'attribute_not_exists(tat) OR tat <= :now';
  const update = 'SET tat = :next, expiresAt = :exp';
  let values: Record<string, number> = { ':now': now, ':next': now + interval, ':exp': expiresAt(now + interval) };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    try {
      await storeCall('take send allowance', () =>
        store.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: keyOf(uid), sk: 0 },
            ConditionExpression: condition,
            UpdateExpression: update,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { allowed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      const tat = Number(unmarshall(error.Item).tat);
      if (tat > now + tolerance) return { allowed: false, retryAfterMs: tat - tolerance - now };
      // Inside the burst: move tat on from the value we saw, unless another send moved it first.
      condition = 'tat = :seen';
      values = {
        ':seen': tat,
        ':next': Math.max(tat, now) + interval,
        ':exp': expiresAt(Math.max(tat, now) + interval),
      };
    }
  }
  // Still racing the same user's other sends: treat as over the limit for a moment.
  return { allowed: false, retryAfterMs: interval };
}
