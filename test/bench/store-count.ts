/**
 * Store requests counted by the local server's store proxy (started with CHAT_FAULTS=off:
 * nothing injected, every request to DynamoDB Local counted by operation).
 */
import { round } from './stats';
import type { LocalServerProcess } from '#test/faults/local-server-process';

export type Operations = Record<string, number>;

const READS = new Set(['Query', 'GetItem', 'BatchGetItem', 'Scan', 'TransactGetItems']);

/** The counts so far, by operation. */
export async function storeRequests(server: LocalServerProcess): Promise<Operations> {
  if (!server.faultsUrl)
    throw new Error('the server was not started with CHAT_FAULTS: nothing counts its store requests');
  const res = await fetch(server.faultsUrl);
  return ((await res.json()) as { forwarded: Operations }).forwarded;
}

/** What was counted between two readings. */
export function since(before: Operations, after: Operations): Operations {
  const out: Operations = {};
  for (const [op, n] of Object.entries(after)) {
    const delta = n - (before[op] ?? 0);
    if (delta > 0) out[op] = delta;
  }
  return out;
}

export const reads = (ops: Operations): number =>
  Object.entries(ops).reduce((sum, [op, n]) => sum + (READS.has(op) ? n : 0), 0);

export const total = (ops: Operations): number => Object.values(ops).reduce((a, b) => a + b, 0);

/** `Query 12, TransactWriteItems 250`, or `none`. */
export const operationsText = (ops: Operations): string =>
  Object.keys(ops).length === 0
    ? 'none'
    : Object.entries(ops)
        .sort((a, b) => b[1] - a[1])
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');

/**
 * Counts over a window that starts and ends inside a synchronous callback (runLoad's
 * onWindow): the readings are asked for at once and awaited afterwards.
 */
export class WindowCount {
  private before: Promise<Operations> | undefined;
  private after: Promise<Operations> | undefined;
  constructor(private readonly server: LocalServerProcess) {}
  edge(edge: 'start' | 'end'): void {
    if (edge === 'start') this.before = storeRequests(this.server);
    else this.after = storeRequests(this.server);
  }
  async result(): Promise<Operations> {
    if (!this.before || !this.after) throw new Error('the window did not start and end');
    return since(await this.before, await this.after);
  }
}

/** What one call cost the store, as `countRequests` reports it (`txItems`: items written in transactions). */
export interface CallCost {
  readonly requests: Readonly<Record<string, number>>;
  readonly rcu: number;
  readonly wcu: number;
  readonly txItems?: number;
}

/** The mean cost of several calls, to hundredths, with the mean number of requests in all. */
export function meanCost(costs: readonly CallCost[]) {
  const n = Math.max(1, costs.length);
  const sum = (f: (c: CallCost) => number) => round(costs.reduce((a, c) => a + f(c), 0) / n, 2);
  const ops = [...new Set(costs.flatMap((c) => Object.keys(c.requests)))];
  const requests = Object.fromEntries(ops.map((op) => [op, sum((c) => c.requests[op] ?? 0)]));
  return {
    requests,
    requestsTotal: round(
      Object.values(requests).reduce((a, b) => a + b, 0),
      2,
    ),
    rcu: sum((c) => c.rcu),
    wcu: sum((c) => c.wcu),
    txItems: sum((c) => c.txItems ?? 0),
  };
}
