/**
 * The sole writer's knowledge of its rooms: what a poll costs in store requests, and that the
 * knowledge is never ahead of the store (it is learnt again when something else wrote).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { roomKey } from '#aws/table';
import { loadApp, uniqueRoom, type App } from '#test/support/app';
import { countRequests, type StoreRequests } from '#test/support/store-requests';
import type { Entry } from '#chat/message-log';

const textOf = (e: Entry): string => (e.kind === 'update' ? e.message.text : e.text);

const user = { user: 'Ana', uid: 'u_0000000000000001' };

describe('readMessages as the sole writer', () => {
  let app: App;
  let requests: StoreRequests;
  beforeAll(() => {
    app = loadApp({ CHAT_SOLE_WRITER: '1' });
    requests = countRequests(app.services.store);
  });
  const read = (room: string, after: number) => app.messageLog.readMessages(room, { kind: 'after', after, limit: 100 });

  it('learns a room with one query, then answers caught-up polls with none', async () => {
    const room = uniqueRoom('feed');
    for (const text of ['one', 'two']) await app.messageLog.appendMessage({ room, ...user, text });
    requests.taken();

    const first = await read(room, 2);
    expect(requests.taken()).toEqual({ Query: 1 });
    const again = await Promise.all(Array.from({ length: 20 }, () => read(room, 2)));
    expect(requests.taken()).toEqual({});

    for (const page of [first, ...again]) expect(page).toMatchObject({ messages: [], lastId: 2, hasMore: false });
  });

  it('serves what was just sent, and a first visit, from memory', async () => {
    const room = uniqueRoom('feed');
    await read(room, 0);
    await app.messageLog.appendMessage({ room, ...user, text: 'hello' });
    requests.taken();

    const poll = await read(room, 0);
    const newest = await app.messageLog.readMessages(room, { kind: 'newest', limit: 100 });
    expect(requests.taken()).toEqual({});
    expect(poll.messages.map(textOf)).toEqual(['hello']);
    expect(newest).toEqual(poll);
  });

  it('still queries for history before an id', async () => {
    const room = uniqueRoom('feed');
    await app.messageLog.appendMessage({ room, ...user, text: 'old' });
    await read(room, 1);
    requests.taken();
    await app.messageLog.readMessages(room, { kind: 'before', before: 2, limit: 10 });
    expect(requests.taken()).toEqual({ Query: 1 });
  });

  it('is rebuilt from the store by a new process (a restart), with nothing lost', async () => {
    const room = uniqueRoom('feed');
    for (const text of ['a', 'b', 'c']) await app.messageLog.appendMessage({ room, ...user, text });
    const restarted = loadApp({ CHAT_SOLE_WRITER: '1' });

    expect(
      (await restarted.messageLog.readMessages(room, { kind: 'after', after: 1, limit: 100 })).messages.map(
        (m) => m.id,
      ),
    ).toEqual([2, 3]);
    const { message } = await restarted.messageLog.appendMessage({ room, ...user, text: 'd' });
    expect(message.id).toBe(4);
    expect(
      (await restarted.messageLog.readMessages(room, { kind: 'after', after: 3, limit: 100 })).messages.map(textOf),
    ).toEqual(['d']);
  });

  it('learns the room again when an id skips ahead, so it never claims less than the store holds', async () => {
    const room = uniqueRoom('feed');
    await app.messageLog.appendMessage({ room, ...user, text: 'mine' });
    expect((await read(room, 1)).messages).toEqual([]);
    // Someone else writes id 2 behind the sole writer's back (the mode was set wrongly).
    await app.services.store.send(
      new PutCommand({
        TableName: process.env.CHAT_TABLE_NAME!,
        Item: { pk: roomKey(room), sk: 2, ...user, text: 'not mine', ts: new Date().toISOString(), writeId: 'other' },
      }),
    );
    // Late, never wrong: until its own next append it may not know of id 2 ...
    expect((await read(room, 1)).lastId).toBeLessThanOrEqual(2);
    // ... and its own append lands after it (the writer's condition sees the store), which makes it learn again.
    const { message } = await app.messageLog.appendMessage({ room, ...user, text: 'mine again' });
    expect(message.id).toBe(3);
    expect((await read(room, 1)).messages.map((m) => m.id)).toEqual([2, 3]);
  });
});

describe('a room learnt while its messages change', () => {
  it('shows a message as a change acknowledged during the learning query left it', async () => {
    const app = loadApp({ CHAT_SOLE_WRITER: '1' });
    const room = uniqueRoom('feed');
    const sent = (await app.messageLog.appendMessage({ room, ...user, text: 'helo' })).message;
    // The room's first read learns it with a query. Its answer is held back (DynamoDB Local
    // has answered it) until an edit made meanwhile has been acknowledged and reported.
    let reached: () => void = () => undefined;
    const queryAnswered = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let armed = true;
    app.services.store.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (armed && context.commandName === 'QueryCommand') {
          armed = false;
          reached();
          await gate;
        }
        return result;
      },
      { step: 'initialize', name: 'holdTheLearningQuery' },
    );
    const learning = app.messageLog.readMessages(room, { kind: 'newest', limit: 100 });
    await queryAnswered;
    const edit = await app.messageLog.changeMessage({
      room,
      id: sent.id,
      ...user,
      change: { kind: 'edit', text: 'hello' },
    });
    expect(edit).toMatchObject({ kind: 'changed', message: { text: 'hello', rev: 1 } });
    release();
    await learning;

    const newest = await app.messageLog.readMessages(room, { kind: 'newest', limit: 100 });
    const poll = await app.messageLog.readMessages(room, { kind: 'after', after: 0, limit: 100 });
    for (const page of [newest, poll]) {
      expect(page.messages.map((e) => [e.id, e.kind ?? 'message', textOf(e)])).toEqual([
        [1, 'message', 'hello'],
        [2, 'update', 'hello'],
      ]);
      expect(page.messages[0]).toMatchObject({ rev: 1 });
    }
  });
});

describe('readMessages on a shared store', () => {
  it('queries the store for every poll', async () => {
    const app = loadApp({ CHAT_SOLE_WRITER: '0' });
    const requests = countRequests(app.services.store);
    const room = uniqueRoom('shared');
    await app.messageLog.appendMessage({ room, ...user, text: 'x' });
    requests.taken();
    for (let i = 0; i < 3; i++) await app.messageLog.readMessages(room, { kind: 'after', after: 1, limit: 100 });
    expect(requests.taken()).toEqual({ Query: 3 });
  });
});
