/**
 * A bound on the store calls the local server has under way: DynamoDB Local answers a few
 * hundred requests a second on these machines, and a queue longer than it can drain in about
 * a second only turns into timeouts. Past the bound a call fails at once as "store
 * unavailable", which the handlers answer 503 with Retry-After (nothing was written).
 */
import type { StoreClient } from '#aws/dynamo';
import { StoreUnavailableError } from '#aws/store-errors';

export interface StoreAdmissionOptions {
  /** Calls sent to the store at once. */
  readonly concurrent?: number;
  /** Calls waiting for one of those places; more fail at once. */
  readonly queued?: number;
}

export function limitStoreCalls(client: StoreClient, options: StoreAdmissionOptions = {}): void {
  const concurrent = options.concurrent ?? 32;
  const queued = options.queued ?? 256;
  let running = 0;
  const waiting: (() => void)[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      if (running >= concurrent) {
        if (waiting.length >= queued) throw new StoreUnavailableError('store busy: too many calls waiting', 1);
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running++;
      try {
        return await next(args);
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
    { step: 'initialize', name: 'limitStoreCalls' },
  );
}
