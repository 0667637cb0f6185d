/** Whom a presence write removes from the state item: the long expired, then the least active past the budget. */
import { prunable, STATE_BUDGET_BYTES } from '#chat/presence/stored-presence';
import type { PresenceEntry } from '#chat/presence';
import { entryBytes, ITEM_OVERHEAD_BYTES } from '#chat/presence/state-item';

const now = Date.parse('2026-12-02T10:00:00Z');
const person = (n: number, over: Partial<PresenceEntry> = {}): PresenceEntry => ({
  uid: `u_${n.toString(16).padStart(16, '0')}`,
  name: `person ${n}`,
  seenAt: now - 1_000,
  activeAt: now - 100_000 + n,
  typingUntil: 0,
  ...over,
});
const caller = { uid: 'u_ffffffffffffffff', name: 'me' };
const bytesLeft = (known: PresenceEntry[], removed: string[]) =>
  ITEM_OVERHEAD_BYTES +
  entryBytes({ ...caller, seenAt: now, activeAt: now, typingUntil: now }) +
  known.filter((e) => !removed.includes(e.uid)).reduce((sum, e) => sum + entryBytes(e), 0);

describe('prunable', () => {
  it('removes who expired over two minutes ago, and no one else while the item fits', () => {
    const known = [person(1, { seenAt: now - 121_000 }), person(2, { seenAt: now - 90_000 }), person(3)];
    expect(prunable(known, caller, now)).toEqual([person(1).uid]);
  });

  it('past the budget removes the least active, those typing last, never the caller', () => {
    const known = Array.from({ length: 80 }, (_, i) => person(i + 1, { typingUntil: i % 8 ? 0 : now + 5_000 }));
    const removed = prunable([...known, { ...person(0), uid: caller.uid }], caller, now);
    expect(removed).not.toContain(caller.uid);
    expect(bytesLeft(known, removed)).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(removed[0]).toBe(person(2).uid); // the least active of those not typing (1 types)
    const typingRemoved = removed.filter((uid) => known.find((e) => e.uid === uid)!.typingUntil > now);
    expect(typingRemoved).toEqual([]);
  });

  it('removes people who are typing too when typing alone fills the item', () => {
    const known = Array.from({ length: 100 }, (_, i) => person(i + 1, { typingUntil: now + 5_000 }));
    const removed = prunable(known, caller, now);
    expect(removed.length).toBeGreaterThan(0);
    expect(bytesLeft(known, removed)).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
  });
});
