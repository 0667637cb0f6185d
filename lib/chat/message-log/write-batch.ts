/**
 * Id allocation: a batch is written at the ids after the room's head; what loses a race to
 * another writer goes again at the next ids, until every send is settled or the deadline
 * passes (503: the caller may repeat it).
 */
import type { StoreClient } from '#aws/dynamo';
import { StoreUnavailableError } from '#aws/store-errors';
import { commit, type Outcome } from './commit';
import { knownHead, type KnownHeads } from './head';
import { readMessage } from './stored';
import type { Appended, Message, NewMessage } from './types';

/** A send gives up with 503 after losing races for this long. */
const APPEND_DEADLINE_MS = 8000;

export interface PendingSend {
  readonly input: NewMessage;
  /** Marks this process's write, to recognise it when a retried request had already succeeded. */
  readonly writeId: string;
  readonly resolve: (result: Appended) => void;
  readonly reject: (error: unknown) => void;
}

export interface LogStore {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly heads: KnownHeads;
  /** Told of the messages of each batch the store has acknowledged, in id order, before their senders hear. */
  readonly appended: (room: string, messages: readonly Message[]) => void;
}

/** Writes the batch at the ids after the head; retries what lost a race until all are settled. */
export async function writeBatch(log: LogStore, room: string, batch: readonly PendingSend[]): Promise<void> {
  const deadline = Date.now() + APPEND_DEADLINE_MS;
  let pending = batch;
  let lostInARow = 0;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new StoreUnavailableError(`append to ${room}: too much contention`, 1);
    const head = await knownHead(log.store, log.tableName, log.heads, room);
    const ts = new Date().toISOString();
    const messages = pending.map((p, i): Message => ({ ...p.input, id: head + 1 + i, ts }));
    let outcomes: Outcome[];
    try {
      outcomes = await commit(
        log.store,
        log.tableName,
        messages,
        pending.map((p) => p.writeId),
      );
    } catch (error) {
      log.heads.forget(room);
      throw error;
    }

    const next: PendingSend[] = [];
    const written: { readonly p: PendingSend; readonly message: Message }[] = [];
    const repeats: { readonly p: PendingSend; readonly id: number }[] = [];
    let taken: number | undefined;
    let conflict = false;
    for (const [i, outcome] of outcomes.entries()) {
      const p = pending[i]!;
      const message = messages[i]!;
      if (outcome.kind === 'written') written.push({ p, message });
      else if (outcome.kind === 'repeat') repeats.push({ p, id: outcome.id });
      else {
        if (outcome.kind === 'taken') taken ??= message.id;
        if (outcome.kind === 'conflict') conflict = true;
        next.push(p);
      }
    }
    if (written.length > 0) {
      log.heads.remember(room, head + written.length);
      // Readers first, so that a sender's next poll already finds its own message.
      log.appended(
        room,
        written.map((w) => w.message),
      );
      for (const { p, message } of written) p.resolve({ message, created: true });
    }
    for (const { p, id } of repeats)
      p.resolve({ message: await readMessage(log.store, log.tableName, room, id), created: false });
    if (taken !== undefined) {
      // Another writer took the id, and is most likely the only one ahead: try the next id,
      // and ask the store for the head only after losing a few times in a row.
      lostInARow++;
      if (lostInARow < 3) log.heads.remember(room, taken);
      else log.heads.forget(room);
      // Exponential backoff with full jitter spreads a herd of writers that lost the same race.
      await sleep(Math.random() * Math.min(4 * 2 ** lostInARow, 250));
    } else {
      lostInARow = 0;
    }
    if (conflict) await sleep(5 + Math.random() * 20);
    pending = next;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
