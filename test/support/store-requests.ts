/** Counts the store requests a client sends, by DynamoDB operation (`Query`, `GetItem`, `TransactWriteItems`, …). */
import type { StoreClient } from '#aws/dynamo';

export function countRequests(store: StoreClient): { readonly taken: () => Record<string, number> } {
  let counts: Record<string, number> = {};
  store.middlewareStack.add(
    (next, context) => async (args) => {
      const op = (context.commandName ?? '?').replace(/Command$/, '');
      counts[op] = (counts[op] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: `countRequests-${Math.random()}` },
  );
  return {
    /** The counts since the last call. */
    taken: () => {
      const taken = counts;
      counts = {};
      return taken;
    },
  };
}
