/**
 * Group commit: sends that wait in this process for the same room are written together, up
 * to MAX_BATCH at a time, one batch after the other per room.
 */
import { randomUUID } from 'node:crypto';
import type { Appended, NewMessage } from './types';
import { sleep, writeBatch, type LogStore, type PendingSend } from './write-batch';

/** At most this many sends share one transaction (each may need two of its 100 actions). */
const MAX_BATCH = 25;
/** How long a batch may wait for the senders of the previous one to send again. */
const BATCH_LINGER_MS = 3;

interface RoomQueue {
  waiting: PendingSend[];
  draining: boolean;
}

export class GroupCommit {
  private readonly queues = new Map<string, RoomQueue>();

  constructor(private readonly log: LogStore) {}

  enqueue(input: NewMessage): Promise<Appended> {
    return new Promise<Appended>((resolve, reject) => {
      let queue = this.queues.get(input.room);
      if (!queue) {
        queue = { waiting: [], draining: false };
        this.queues.set(input.room, queue);
      }
      queue.waiting.push({ input, writeId: randomUUID(), resolve, reject });
      if (!queue.draining) void this.drain(input.room, queue);
    });
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
        const batch = queue.waiting.splice(0, MAX_BATCH);
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
