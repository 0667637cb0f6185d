/**
 * Changes through the message log, on DynamoDB Local, in both modes: each change appends one
 * update entry at the next id in the same transaction as the change, and the store holds
 * exactly what the answers say (read back with a consistent query).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Change, ChangeResult, Entry, Message } from '#chat/message-log';
import { roomKey } from '#aws/table';
import { TWENTY_EMOJI } from '#test/support/emoji';
import { loadApp, uniqueRoom, type App } from '#test/support/app';

const ana = { user: 'Ana', uid: 'u_00000000000000a1' };
const bo = { user: 'Bo', uid: 'u_00000000000000b2' };

const MODES = [
  ['sole writer', { CHAT_SOLE_WRITER: '1' }],
  ['shared store', { CHAT_SOLE_WRITER: '0' }],
] as const;

describe.each(MODES)('changing messages, %s', (_, env) => {
  let app: App;
  beforeAll(() => {
    app = loadApp({ ...env, CHAT_SEND_RATE: '0' });
  });
  const send = async (room: string, text: string, who = ana) =>
    (await app.messageLog.appendMessage({ room, ...who, text })).message;
  const change = (room: string, id: number, c: Change, who = ana): Promise<ChangeResult> =>
    app.messageLog.changeMessage({ room, id, ...who, change: c });
  const logAfter = async (room: string, cursor = 0): Promise<Entry[]> => [
    ...(await app.messageLog.readMessages(room, { kind: 'after', after: cursor, limit: 200 })).messages,
  ];
  const rawItems = async (room: string) => {
    const out = await app.services.store.send(
      new QueryCommand({
        TableName: app.services.config.store!.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': roomKey(room) },
        ConsistentRead: true,
      }),
    );
    return out.Items ?? [];
  };
  const changed = (r: ChangeResult): Message => {
    if (r.kind !== 'changed') throw new Error(`expected a change, got ${JSON.stringify(r)}`);
    return r.message;
  };

  it('edits: the message reads the new text with rev 1, and an update entry follows at the next id', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'helo');
    const result = await change(room, m.id, { kind: 'edit', text: 'hello' });
    const message = changed(result);
    expect(message).toMatchObject({ id: 1, text: 'hello', rev: 1 });
    expect(message.editedAt).toEqual(expect.any(String));
    const log = await logAfter(room);
    expect(log.map((e) => [e.id, e.kind ?? 'message'])).toEqual([
      [1, 'message'],
      [2, 'update'],
    ]);
    expect(log[0]).toMatchObject({ text: 'hello', rev: 1 });
    expect(log[1]).toMatchObject({
      kind: 'update',
      target: 1,
      user: 'Ana',
      uid: ana.uid,
      message: { text: 'hello', rev: 1 },
    });
    expect((await app.messageLog.readMessages(room, { kind: 'newest', limit: 10 })).messages[0]).toMatchObject({
      text: 'hello',
      rev: 1,
    });
  });

  it('answers "same" and appends nothing for the same text, a second delete, or a reaction already there', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'hi');
    expect(await change(room, m.id, { kind: 'edit', text: 'hi' })).toMatchObject({ kind: 'same' });
    changed(await change(room, m.id, { kind: 'react', emoji: '👍', on: true }, bo));
    expect(await change(room, m.id, { kind: 'react', emoji: '👍', on: true }, bo)).toMatchObject({ kind: 'same' });
    expect(await change(room, m.id, { kind: 'react', emoji: '🎉', on: false }, bo)).toMatchObject({ kind: 'same' });
    changed(await change(room, m.id, { kind: 'delete' }));
    expect(await change(room, m.id, { kind: 'delete' })).toMatchObject({ kind: 'same' });
    expect((await logAfter(room)).map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it('refuses: another author (forbidden), an unknown id or an update entry (not_found), a deleted message', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'mine');
    expect(await change(room, m.id, { kind: 'edit', text: 'x' }, bo)).toEqual({ kind: 'refused', reason: 'forbidden' });
    expect(await change(room, m.id, { kind: 'delete' }, bo)).toEqual({ kind: 'refused', reason: 'forbidden' });
    expect(await change(room, 99, { kind: 'delete' })).toEqual({ kind: 'refused', reason: 'not_found' });
    changed(await change(room, m.id, { kind: 'react', emoji: '👍', on: true }, bo));
    expect(await change(room, 2, { kind: 'react', emoji: '👍', on: true })).toEqual({
      kind: 'refused',
      reason: 'not_found',
    });
    changed(await change(room, m.id, { kind: 'delete' }));
    expect(await change(room, m.id, { kind: 'edit', text: 'back' })).toEqual({
      kind: 'refused',
      reason: 'message_deleted',
    });
    expect(await change(room, m.id, { kind: 'react', emoji: '🎉', on: true }, bo)).toEqual({
      kind: 'refused',
      reason: 'message_deleted',
    });
    expect((await logAfter(room)).map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it('counts reactions exactly, lists the first 20 in order, and refuses a 21st emoji', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'react to me');
    const people = Array.from({ length: 25 }, (_, i) => ({ user: `P${i}`, uid: `u_${String(i).padStart(16, '0')}` }));
    for (const p of people) await change(room, m.id, { kind: 'react', emoji: '👍', on: true }, p);
    const view = changed(await change(room, m.id, { kind: 'react', emoji: '❤️', on: true }, ana));
    expect(view.reactions).toEqual([
      { emoji: '👍', count: 25, uids: people.slice(0, 20).map((p) => p.uid) },
      { emoji: '❤️', count: 1, uids: [ana.uid] },
    ]);
    const off = changed(await change(room, m.id, { kind: 'react', emoji: '👍', on: false }, people[0]));
    expect(off.reactions?.[0]).toEqual({ emoji: '👍', count: 24, uids: people.slice(1, 21).map((p) => p.uid) });
    // The 18 others, after 👍 and ❤️.
    const emoji = TWENTY_EMOJI.slice(2);
    for (const e of emoji) changed(await change(room, m.id, { kind: 'react', emoji: e, on: true }, bo));
    expect(await change(room, m.id, { kind: 'react', emoji: '🍕', on: true }, bo)).toEqual({
      kind: 'refused',
      reason: 'reaction_limit',
    });
    // An emoji already there is still open to more people.
    changed(await change(room, m.id, { kind: 'react', emoji: '😂', on: true }, ana));
  });

  it('deletes: no text and no reactions in the message nor in any earlier update entry, in the store too', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'secret one');
    changed(await change(room, m.id, { kind: 'edit', text: 'secret two' }));
    changed(await change(room, m.id, { kind: 'react', emoji: '👍', on: true }, bo));
    const gone = changed(await change(room, m.id, { kind: 'delete' }));
    expect(gone).toMatchObject({ id: 1, text: '', deleted: true, rev: 3, uid: ana.uid });
    expect(gone.reactions).toBeUndefined();
    const log = await logAfter(room);
    expect(log).toHaveLength(4);
    for (const e of log) {
      const shown = e.kind === 'update' ? e.message : e;
      expect(shown).toMatchObject({ text: '', deleted: true });
      expect(shown.reactions).toBeUndefined();
    }
    expect(JSON.stringify(await rawItems(room))).not.toMatch(/secret|👍/);
  });

  it('empties every earlier entry of a message changed more often than one transaction holds', async () => {
    const room = uniqueRoom('chg');
    const m = await send(room, 'much loved secret');
    const people = Array.from({ length: 45 }, (_, i) => ({ user: `L${i}`, uid: `u_d${String(i).padStart(15, '0')}` }));
    for (const p of people) changed(await change(room, m.id, { kind: 'react', emoji: '🎉', on: true }, p));
    changed(await change(room, m.id, { kind: 'delete' }));
    const log = await logAfter(room);
    expect(log.map((e) => e.id)).toEqual(Array.from({ length: 47 }, (_, i) => i + 1));
    expect(JSON.stringify(await rawItems(room))).not.toMatch(/secret|🎉/);
    expect(JSON.stringify(log)).not.toMatch(/secret|🎉/);
  });

  it('keeps ids gap-free and every change once when sends and changes race in one room', async () => {
    const room = uniqueRoom('chg');
    const targets = [await send(room, 't1'), await send(room, 't2')];
    const people = Array.from({ length: 12 }, (_, i) => ({ user: `R${i}`, uid: `u_f${String(i).padStart(15, '0')}` }));
    const results = await Promise.all([
      ...people.map((p, i) =>
        change(room, targets[i % 2]!.id, { kind: 'react', emoji: i % 3 ? '👍' : '🎉', on: true }, p),
      ),
      ...Array.from({ length: 8 }, (_, i) => send(room, `s${i}`, bo)),
    ]);
    expect(results.slice(0, 12).map((r) => (r as ChangeResult).kind)).toEqual(Array(12).fill('changed'));
    const log = await logAfter(room);
    expect(log.map((e) => e.id)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const updates = log.filter((e) => e.kind === 'update');
    expect(updates).toHaveLength(12);
    for (const t of targets) {
      const revs = updates
        .filter((u) => u.kind === 'update' && u.target === t.id)
        .map((u) => (u.kind === 'update' ? u.message.rev : 0));
      expect(revs).toEqual([1, 2, 3, 4, 5, 6]);
    }
    const now = log.filter((e): e is Message => e.kind !== 'update' && e.id <= 2);
    expect(now.map((m) => m.reactions?.reduce((n, r) => n + r.count, 0))).toEqual([6, 6]);
  });
});

describe('changes racing from separate instances on one store', () => {
  it('decides a change again when another instance changed the message first, and loses no reaction', async () => {
    const instances = Array.from({ length: 6 }, () => loadApp({ CHAT_SOLE_WRITER: '0', CHAT_SEND_RATE: '0' }));
    const room = uniqueRoom('chg');
    const { message } = await instances[0]!.messageLog.appendMessage({ room, ...ana, text: 'popular' });
    const people = Array.from({ length: 12 }, (_, i) => ({ user: `X${i}`, uid: `u_e${String(i).padStart(15, '0')}` }));
    const results = await Promise.all(
      people.map((p, i) =>
        instances[i % instances.length]!.messageLog.changeMessage({
          room,
          id: message.id,
          ...p,
          change: { kind: 'react', emoji: '👍', on: true },
        }),
      ),
    );
    expect(results.map((r) => r.kind)).toEqual(Array(12).fill('changed'));
    const page = await instances[0]!.messageLog.readMessages(room, { kind: 'after', after: 0, limit: 100 });
    expect(page.messages.map((e) => e.id)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const revs = page.messages.flatMap((e) => (e.kind === 'update' ? [e.message.rev] : []));
    expect(revs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const now = page.messages[0] as Message;
    expect(now.rev).toBe(12);
    expect(now.reactions).toEqual([{ emoji: '👍', count: 12, uids: expect.any(Array) }]);
    expect(new Set(now.reactions![0]!.uids)).toEqual(new Set(people.map((p) => p.uid)));
  });
});
