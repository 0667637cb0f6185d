/**
 * The reader's second line of defence: whatever the store holds, a page never carries an id
 * past a hole, so a client's cursor cannot move over a message it has not seen. The hole is
 * planted by hand here (the writer never leaves one).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { withoutHoles } from '#chat/message-log/read';
import type { Message } from '#chat/message-log';
import { roomKey } from '#aws/table';
import { loadApp, uniqueRoom } from '#test/support/app';

const app = loadApp();
const tableName = process.env.CHAT_TABLE_NAME!;

async function plant(room: string, ids: number[]): Promise<void> {
  for (const id of ids) {
    await app.services.store.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: roomKey(room),
          sk: id,
          user: 'Ana',
          uid: 'u_0000000000000001',
          text: `message ${id}`,
          ts: new Date().toISOString(),
          writeId: 'planted',
        },
      }),
    );
  }
}

describe('readMessages over a log with a hole at id 4', () => {
  const room = uniqueRoom('hole');
  beforeAll(() => plant(room, [1, 2, 3, 5, 6]));

  it('stops a poll at the hole and says more is waiting', async () => {
    const page = await app.messageLog.readMessages(room, { kind: 'after', after: 0, limit: 100 });
    expect(page.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(page).toMatchObject({ lastId: 3, hasMore: true });
  });

  it('gives a cursor that stands before the hole nothing, and keeps it where it is', async () => {
    const page = await app.messageLog.readMessages(room, { kind: 'after', after: 3, limit: 100 });
    expect(page.messages).toEqual([]);
    expect(page).toMatchObject({ lastId: 3, hasMore: true });
  });

  it('goes on once the missing id is there', async () => {
    await plant(room, [4]);
    const page = await app.messageLog.readMessages(room, { kind: 'after', after: 3, limit: 100 });
    expect(page.messages.map((m) => m.id)).toEqual([4, 5, 6]);
    expect(page).toMatchObject({ lastId: 6, hasMore: false });
  });
});

describe('withoutHoles', () => {
  const at = (id: number): Message => ({ id, room: 'r', user: 'u', uid: 'u_0000000000000001', text: 't', ts: '' });

  it('keeps the run of ids that starts at the first expected id', () => {
    expect(withoutHoles([at(5), at(6), at(8)], 5).map((m) => m.id)).toEqual([5, 6]);
  });

  it('keeps nothing when the first expected id is missing', () => {
    expect(withoutHoles([at(6), at(7)], 5)).toEqual([]);
  });

  it('keeps everything when there is no hole', () => {
    expect(withoutHoles([at(1), at(2), at(3)], 1).map((m) => m.id)).toEqual([1, 2, 3]);
  });
});
