/** Which copy of a changed message the page shows: only ever a newer one, by rev. */
import { isNewer, newestEntries, notableChanges, reactedWith, revOf } from '#web/message-updates';
import { isUpdate } from '#web/types';
import type { Message, UpdateEntry } from '#web/types';

const message = (id: number, rev?: number, text = `text of ${id} at ${rev ?? 0}`): Message => ({
  kind: 'message',
  id,
  room: 'lobby',
  user: 'Ana',
  uid: 'u_ana',
  text,
  ts: '2026-05-01T10:00:00.000Z',
  ...(rev !== undefined ? { rev } : {}),
});

const update = (id: number, target: Message, by = { user: 'Bo', uid: 'u_bo' }): UpdateEntry => ({
  kind: 'update',
  id,
  room: 'lobby',
  ...by,
  ts: '2026-05-01T10:05:00.000Z',
  target: target.id,
  message: target,
});

describe('isNewer', () => {
  it('takes a copy with a higher rev than the one held, a first change over an unchanged message included', () => {
    expect(isNewer(message(1), message(1, 1))).toBe(true);
    expect(isNewer(message(1, 2), message(1, 3))).toBe(true);
  });

  it('never goes back nor repeats: a lower or equal rev is let go', () => {
    expect(isNewer(message(1, 3), message(1, 2))).toBe(false);
    expect(isNewer(message(1, 3), message(1, 3))).toBe(false);
    expect(isNewer(message(1, 1), message(1))).toBe(false);
  });

  it('lets go of a message not held (not shown)', () => {
    expect(isNewer(undefined, message(1, 5))).toBe(false);
  });

  it('reads a message with no rev as rev 0', () => {
    expect(revOf(message(1))).toBe(0);
    expect(revOf(message(1, 4))).toBe(4);
  });
});

describe('newestEntries', () => {
  it('keeps the highest rev of each target, whatever order the entries come in', () => {
    const latest = newestEntries([
      update(5, message(1, 1)),
      update(6, message(2, 1)),
      update(7, message(1, 3)),
      // An answer reordered on its way, or a replayed entry: an older copy after a newer one.
      update(8, message(1, 2)),
    ]);
    expect([...latest.entries()].map(([id, u]) => [id, u.message.rev])).toEqual([
      [1, 3],
      [2, 1],
    ]);
  });

  it('has nothing for no update', () => {
    expect(newestEntries([]).size).toBe(0);
  });
});

describe('notableChanges', () => {
  const ana = { user: 'Ana', uid: 'u_ana' };
  const shown = new Map<number, Message>([
    [1, message(1)],
    [2, message(2, 1)],
    [3, { ...message(3, 1), text: '', deleted: true }],
    [4, message(4)],
  ]);
  const held = (id: number) => shown.get(id);

  it("tells an edit or a delete by someone else of a message shown, with the newest entry's text", () => {
    const edited = [update(10, message(1, 1, 'first try'), ana), update(11, message(1, 2, 'fixed'), ana)];
    const deleted = update(12, { ...message(2, 2), text: '', deleted: true }, ana);
    expect(notableChanges(newestEntries([...edited, deleted]), held, 'u_me')).toEqual([
      { kind: 'edited', user: 'Ana', message: message(1, 2, 'fixed') },
      { kind: 'deleted', user: 'Ana', message: { ...message(2, 2), text: '', deleted: true } },
    ]);
  });

  it('tells nothing of reactions, own changes, messages not shown, copies not newer, or a message already deleted', () => {
    const reacted = { ...message(4, 1, shown.get(4)!.text), reactions: [{ emoji: '👍', count: 1, uids: ['u_bo'] }] };
    expect(
      notableChanges(
        newestEntries([
          update(10, reacted),
          update(11, message(1, 1, 'mine, edited'), { user: 'Me', uid: 'u_me' }),
          update(12, message(9, 1, 'not on the page'), ana),
          update(13, message(2, 1, 'an old copy'), ana),
          update(14, { ...message(3, 2), text: '', deleted: true }, ana),
        ]),
        held,
        'u_me',
      ),
    ).toEqual([]);
  });
});

describe('isUpdate', () => {
  it('tells update entries from messages, a v1 message without kind included', () => {
    const { kind: _, ...v1 } = message(3);
    expect(isUpdate(update(4, message(3, 1)))).toBe(true);
    expect(isUpdate(message(3))).toBe(false);
    expect(isUpdate(v1 as Message)).toBe(false);
  });
});

describe('reactedWith', () => {
  it('finds the reader among the uids of that emoji only', () => {
    const m: Message = {
      ...message(1, 2),
      reactions: [
        { emoji: '👍', count: 2, uids: ['u_bo', 'u_cy'] },
        { emoji: '❤️', count: 1, uids: ['u_ana'] },
      ],
    };
    expect(reactedWith(m, '👍', 'u_bo')).toBe(true);
    expect(reactedWith(m, '❤️', 'u_bo')).toBe(false);
    expect(reactedWith(m, '🎉', 'u_bo')).toBe(false);
    expect(reactedWith(message(1), '👍', 'u_bo')).toBe(false);
  });
});
