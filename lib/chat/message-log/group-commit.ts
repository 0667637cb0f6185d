/**
 * Group commit: writes that wait in this process for the same room (sends, and changes with
 * their update entries) are written together, as many as fit in one transaction, one batch
 * after the other per room. Two changes of one message never share a batch (a transaction
 * may touch an item once): the later waits for the next.
 */
import { randomUUID } from 'node:crypto';
import { SCRUBS_IN_TRANSACTION } from './change-actions';
import type { MessageState } from './message-state';
import type { Appended, ChangeRequest, ChangeResult, NewMessage } from './types';
import { sleep, writeBatch, type LogStore, type PendingWrite } from './write-batch';

/** At most this many writes share one transaction. */
const MAX_BATCH = 25;
/**
 * Actions a batch starts with at most: DynamoDB takes 100 per transaction, and the rest is
 * room for a delete decided again (after its message moved on) to empty up to
 * SCRUBS_IN_TRANSACTION more entries.
 */
const MAX_ACTIONS = 100 - SCRUBS_IN_TRANSACTION;
/** How long a batch may wait for the senders of the previous one to send again. */
const BATCH_LINGER_MS = 3;

interface RoomQueue {
  waiting: PendingWrite[];
  draining: boolean;
}

/** The actions a waiting write will take: its put(s), or a change's update, entry and scrubs. */
const actionsOf = (p: PendingWrite): number =>
  p.kind === 'send'
    ? p.input.clientId === undefined
      ? 1
      : 2
    : 2 + (p.request.change.kind === 'delete' ? p.state.entries.length : 0);

export class GroupCommit {
  private readonly queues = new Map<string, RoomQueue>();

  constructor(private readonly log: LogStore) {}

  enqueue(input: NewMessage): Promise<Appended> {
    return new Promise<Appended>((resolve, reject) => {
      this.add(input.room, { kind: 'send', input, writeId: randomUUID(), resolve, reject });
    });
  }

  /** Writes a change decided on `state`, with its update entry; decided again if the message moved on. */
  change(request: ChangeRequest, state: MessageState): Promise<ChangeResult> {
    return new Promise<ChangeResult>((resolve, reject) => {
      this.add(request.room, { kind: 'change', request, state, writeId: randomUUID(), resolve, reject });
    });
  }

  private add(room: string, write: PendingWrite): void {
    let queue = this.queues.get(room);
    if (!queue) {
      queue = { waiting: [], draining: false };
      this.queues.set(room, queue);
    }
    queue.waiting.push(write);
    if (!queue.draining) void this.drain(room, queue);
  }

  private async drain(room: string, queue: RoomQueue): Promise<void> {
    queue.draining = true;
    let lastBatch = 0;
    try {
      while (queue.waiting.length > 0) {
        // While several senders are active, those just answered are about to send again: a
        // moment's wait lets them join this batch instead of forming a half-size one of their own.
        if (lastBatch > 1 && queue.waiting.length < MAX_BATCH) await sleep(BATCH_LINGER_MS);
        else await new Promise((resolve) => setImmediate(resolve));
        const batch = takeBatch(queue);
        lastBatch = batch.length;
        await writeBatch(this.log, room, batch).catch((error: unknown) => {
          for (const p of batch) p.reject(error);
        });
      }
    } finally {
      queue.draining = false;
      if (queue.waiting.length === 0) this.queues.delete(room);
    }
  }
}

/** The waiting writes that fit one transaction, in order; a second change of a message waits. */
function takeBatch(queue: RoomQueue): PendingWrite[] {
  const batch: PendingWrite[] = [];
  const rest: PendingWrite[] = [];
  const targets = new Set<number>();
  let actions = 0;
  for (const p of queue.waiting) {
    const cost = actionsOf(p);
    const target = p.kind === 'change' ? p.request.id : undefined;
    const fits = batch.length < MAX_BATCH && actions + cost <= MAX_ACTIONS;
    if (fits && (target === undefined || !targets.has(target))) {
      batch.push(p);
      actions += cost;
      if (target !== undefined) targets.add(target);
    } else {
      rest.push(p);
    }
  }
  queue.waiting = rest;
  return batch;
}
