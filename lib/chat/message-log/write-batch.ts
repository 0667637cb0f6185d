/**
 * Id allocation: a batch is written at the ids after the room's head, one id per write (a
 * send's message, or a change's update entry); what loses a race to another writer goes again
 * at the next ids, until every write is settled or the deadline passes (503: the caller may
 * repeat it). A change whose message moved on meanwhile is decided again on what it is now.
 */
import type { StoreClient } from '#aws/dynamo';
import { StoreUnavailableError } from '#aws/store-errors';
import { planChange } from './change-actions';
import { commit, type Outcome, type PlannedWrite } from './commit';
import { knownHead, type KnownHeads } from './head';
import { toState } from './items';
import { decide, viewOf, type MessageState } from './message-state';
import { scrubAheadOfDelete } from './scrub';
import { readMessage, readMessageState } from './stored';
import type { Appended, ChangeRequest, ChangeResult, Entry, NewMessage } from './types';

/** A write gives up with 503 after losing races for this long. */
const APPEND_DEADLINE_MS = 8000;

export interface PendingSend {
  readonly kind: 'send';
  readonly input: NewMessage;
  /** Marks this process's write, to recognise it when a retried request had already succeeded. */
  readonly writeId: string;
  readonly resolve: (result: Appended) => void;
  readonly reject: (error: unknown) => void;
}

export interface PendingChange {
  readonly kind: 'change';
  readonly request: ChangeRequest;
  /** The message as last read: the change is written on the condition that it is still so. */
  state: MessageState;
  readonly writeId: string;
  readonly resolve: (result: ChangeResult) => void;
  readonly reject: (error: unknown) => void;
}

export type PendingWrite = PendingSend | PendingChange;

export interface LogStore {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly heads: KnownHeads;
  /** Told of the entries of each batch the store has acknowledged, in id order, before their writers hear. */
  readonly appended: (room: string, entries: readonly Entry[]) => void;
}

const plan = (log: LogStore, p: PendingWrite, id: number, ts: string): PlannedWrite =>
  p.kind === 'send'
    ? { kind: 'send', message: { ...p.input, id, ts }, writeId: p.writeId }
    : { kind: 'change', writeId: p.writeId, ...planChange(log.tableName, p.request, p.state, id, ts, p.writeId) };

/** Writes the batch at the ids after the head; retries what lost a race until all are settled. */
export async function writeBatch(log: LogStore, room: string, batch: readonly PendingWrite[]): Promise<void> {
  const deadline = Date.now() + APPEND_DEADLINE_MS;
  let pending = batch;
  let lostInARow = 0;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new StoreUnavailableError(`append to ${room}: too much contention`, 1);
    const head = await knownHead(log.store, log.tableName, log.heads, room);
    const ts = new Date().toISOString();
    const writes = pending.map((p, i) => plan(log, p, head + 1 + i, ts));
    let outcomes: Outcome[];
    try {
      outcomes = await commit(log.store, log.tableName, writes);
    } catch (error) {
      log.heads.forget(room);
      throw error;
    }

    const next: PendingWrite[] = [];
    const written: { readonly p: PendingWrite; readonly w: PlannedWrite }[] = [];
    const repeats: { readonly p: PendingSend; readonly id: number }[] = [];
    const stale: { readonly p: PendingChange; readonly item: Record<string, unknown> | undefined }[] = [];
    let taken: number | undefined;
    let conflict = false;
    for (const [i, outcome] of outcomes.entries()) {
      const p = pending[i]!;
      const w = writes[i]!;
      const id = head + 1 + i;
      if (outcome.kind === 'written') written.push({ p, w });
      else if (outcome.kind === 'repeat' && p.kind === 'send') repeats.push({ p, id: outcome.id });
      else if (outcome.kind === 'stale' && p.kind === 'change') {
        stale.push({ p, item: outcome.item });
        if (outcome.taken) taken ??= id;
      } else {
        if (outcome.kind === 'taken') taken ??= id;
        if (outcome.kind === 'conflict') conflict = true;
        next.push(p);
      }
    }
    if (written.length > 0) {
      log.heads.remember(room, head + written.length);
      // Readers first, so that a writer's next poll already finds its own entry.
      log.appended(
        room,
        written.map(({ w }) => (w.kind === 'send' ? w.message : w.entry)),
      );
      for (const { p, w } of written) settle(p, w);
    }
    for (const { p, id } of repeats)
      p.resolve({ message: await readMessage(log.store, log.tableName, room, id), created: false });
    for (const { p, item } of stale) {
      const state = item ? toState(room, item) : await readMessageState(log.store, log.tableName, room, p.request.id);
      const decision = decide(state, p.request.uid, p.request.change);
      if (decision.kind !== 'write') {
        p.resolve(decision);
        continue;
      }
      p.state = await scrubAheadOfDelete(log.store, log.tableName, p.request, decision.state);
      next.push(p);
    }
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

function settle(p: PendingWrite, w: PlannedWrite): void {
  if (p.kind === 'send' && w.kind === 'send') p.resolve({ message: w.message, created: true });
  else if (p.kind === 'change' && w.kind === 'change') {
    p.resolve({ kind: 'changed', message: viewOf(w.after), entry: w.entry });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
