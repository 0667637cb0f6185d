/**
 * Presence kept in the store (where several processes write: Lambda, or a shared store):
 * each presence call is one UpdateItem of the room's state item that sets the caller's own
 * attributes (state-item.ts), so concurrent callers never lose each other and none reads
 * first. The update answers with the item as it now is (no extra read cost), and the next
 * call from this process in that room removes who has long expired and, past the byte
 * budget, the least active: so the item, and what every poll reads of it, stays within one
 * read unit however many people ever came.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { storeCall, type StoreClient } from '#aws/dynamo';
import { roomKey } from '#aws/table';
import type { Presence } from './index';
import { byPriority, isPresent, PRESENT_MS, type PresenceChange, type PresenceEntry, TYPING_MS } from './room-state';
import {
  VERSION_ATTRIBUTE,
  activeAttribute,
  entriesOf,
  entryBytes,
  ITEM_OVERHEAD_BYTES,
  STATE_SK,
  seenAttribute,
  typingAttribute,
} from './state-item';

/**
 * The item's size the writers aim for: a read unit is 4,096 bytes, and the rest is slack for
 * writers who add themselves at the same moment, from what they knew before.
 */
export const STATE_BUDGET_BYTES = 3_600;
/** Removed only once expired this much longer, so a late writer does not remove someone who just came back. */
const PRUNE_AFTER_MS = PRESENT_MS + 60_000;
/** The state item goes (by TTL) a day after its last write. */
const ITEM_TTL_S = 24 * 3600;
/** People one write removes at most (three attribute paths each), to keep the expression small. */
const MAX_REMOVED = 100;
/** Rooms whose state item this process remembers. */
const MAX_ROOMS = 2_000;

export interface StoredPresenceOptions {
  readonly store: StoreClient;
  readonly tableName: string;
  readonly now?: () => number;
}

/** Bytes set aside for each other write of this process in flight in the room (one person each). */
const IN_FLIGHT_RESERVE_BYTES = 120;

export class StoredPresence implements Presence {
  /**
   * Per room, the people in the state item as the newest answer to this process's writes
   * showed it (answers can come back out of order: the item's version `v` tells which is newer).
   */
  private readonly known = new Map<string, { readonly version: number; readonly entries: readonly PresenceEntry[] }>();
  /** Per room, this process's writes in flight: each may add a person the others do not know of. */
  private readonly inFlight = new Map<string, number>();
  private readonly store: StoreClient;
  private readonly tableName: string;
  private readonly now: () => number;

  constructor({ store, tableName, now = Date.now }: StoredPresenceOptions) {
    this.store = store;
    this.tableName = tableName;
    this.now = now;
  }

  async change(room: string, user: { uid: string; name: string }, change: PresenceChange): Promise<void> {
    const now = this.now();
    const known = this.known.get(room)?.entries ?? [];
    const others = this.inFlight.get(room) ?? 0;
    const mine = known.find((e) => e.uid === user.uid);
    const update = new UpdateBuilder();
    update.set('expiresAt', Math.ceil(now / 1000) + ITEM_TTL_S);
    update.add(VERSION_ATTRIBUTE, 1);
    if (change === 'gone') {
      update.removePerson(user.uid);
    } else {
      update.set(seenAttribute(user.uid), [user.name, now]);
      // A message makes one the most recently active; otherwise one keeps one's place, unless
      // this process knows one had gone (an expired place that nobody removed yet).
      const returning = mine !== undefined && !isPresent(mine, now);
      if (change === 'sent' || returning) update.set(activeAttribute(user.uid), now);
      else update.setIfAbsent(activeAttribute(user.uid), now);
      if (change === 'typing') update.set(typingAttribute(user.uid), now + TYPING_MS);
      else if (change !== 'here') update.remove(typingAttribute(user.uid));
    }
    for (const uid of prunable(known, user, now, others * IN_FLIGHT_RESERVE_BYTES)) update.removePerson(uid);

    this.inFlight.set(room, others + 1);
    let result: { Attributes?: Record<string, unknown> };
    try {
      result = await storeCall('update presence', () =>
        this.store.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: roomKey(room), sk: STATE_SK },
            ...update.expression(),
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
    } finally {
      const left = (this.inFlight.get(room) ?? 1) - 1;
      if (left > 0) this.inFlight.set(room, left);
      else this.inFlight.delete(room);
    }
    const version = Number(result.Attributes?.[VERSION_ATTRIBUTE] ?? 0);
    if (version <= (this.known.get(room)?.version ?? -1)) return; // an older answer than one already seen
    this.known.delete(room);
    this.known.set(room, { version, entries: entriesOf(result.Attributes) });
    if (this.known.size > MAX_ROOMS) this.known.delete(this.known.keys().next().value as string);
  }
}

/**
 * Whom a write should remove: who expired long enough ago, then, while the item would be over
 * its budget, the least active: those not typing first (never the caller).
 */
export function prunable(
  known: readonly PresenceEntry[],
  user: { uid: string; name: string },
  now: number,
  /** Room to leave for writes in flight that will add people not in `known`. */
  reserveBytes = 0,
): string[] {
  const remove: string[] = [];
  const kept: PresenceEntry[] = [];
  for (const e of known) {
    if (e.uid === user.uid) continue;
    if (e.seenAt + PRUNE_AFTER_MS <= now && remove.length < MAX_REMOVED) remove.push(e.uid);
    else kept.push(e);
  }
  const caller: PresenceEntry = { uid: user.uid, name: user.name, seenAt: now, activeAt: now, typingUntil: now };
  let bytes = ITEM_OVERHEAD_BYTES + reserveBytes + entryBytes(caller) + kept.reduce((sum, e) => sum + entryBytes(e), 0);
  const byLeastActive = kept.sort(byPriority(now)).reverse();
  // The least active first, those typing last: a room where many type at once still fits.
  const order = [
    ...byLeastActive.filter((e) => e.typingUntil <= now),
    ...byLeastActive.filter((e) => e.typingUntil > now),
  ];
  for (const e of order) {
    if (bytes <= STATE_BUDGET_BYTES) break;
    remove.push(e.uid);
    bytes -= entryBytes(e);
  }
  return remove;
}

/** An UpdateItem expression of SET and REMOVE clauses, with its names and values. */
class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly adds: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
  }

  add(attribute: string, value: number): void {
    this.adds.push(`${this.name(attribute)} ${this.value(value)}`);
  }

  setIfAbsent(attribute: string, value: unknown): void {
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
  }

  remove(attribute: string): void {
    this.removes.push(this.name(attribute));
  }

  removePerson(uid: string): void {
    for (const attribute of [seenAttribute(uid), activeAttribute(uid), typingAttribute(uid)]) this.remove(attribute);
  }

  expression() {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
      this.adds.length > 0 ? `ADD ${this.adds.join(', ')}` : '',
    ];
    return {
      UpdateExpression: clauses.filter(Boolean).join(' '),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }

  private name(attribute: string): string {
    const placeholder = `#n${Object.keys(this.names).length}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  private value(value: unknown): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}
