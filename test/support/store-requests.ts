/** What a store client sends: requests by operation, and the read and write units they consume. */
import type { StoreClient } from '#aws/dynamo';

const READS = new Set([
  'Get',
  'GetItem',
  'Query',
  'Scan',
  'BatchGet',
  'BatchGetItem',
  'TransactGet',
  'TransactGetItems',
]);

export interface StoreRequests {
  /** Requests by operation since the last call, and starts counting anew. */
  readonly taken: () => Record<string, number>;
  /** Capacity consumed since the last call (DynamoDB's own count, asked for on every request), and starts anew. */
  readonly consumed: () => { readonly read: number; readonly write: number };
}

/** Counts the requests `store` sends from now on, and asks DynamoDB for the capacity each consumes. */
export function countRequests(
  store: StoreClient,
  /** Told of each request once answered, with the units it consumed (a benchmark's closer look). */
  observe?: (operation: string, input: unknown, output: unknown, units: number) => void,
): StoreRequests {
  let counts: Record<string, number> = {};
  let read = 0;
  let write = 0;
  store.middlewareStack.add(
    (next, context) => async (args) => {
      const op = (context.commandName ?? '?').replace(/Command$/, '');
      counts[op] = (counts[op] ?? 0) + 1;
      const result = await next({ ...args, input: { ...(args.input as object), ReturnConsumedCapacity: 'TOTAL' } });
      const output = result.output as { ConsumedCapacity?: unknown };
      let units = 0;
      for (const c of [output.ConsumedCapacity].flat())
        units += (c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
      if (READS.has(op)) read += units;
      else write += units;
      observe?.(op, args.input, result.output, units);
      return result;
    },
    { step: 'initialize', name: `countRequests-${Math.random()}` },
  );
  return {
    taken: () => {
      const taken = counts;
      counts = {};
      return taken;
    },
    consumed: () => {
      const units = { read, write };
      read = 0;
      write = 0;
      return units;
    },
  };
}
